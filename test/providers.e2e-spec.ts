import { once } from 'node:events';
import { LocalFastGptServer, LocalRagflowServer } from '../src/local-dify';
import { Stack, startStack, TEST_API_KEY } from './support/stack';
import { waitUntil } from './support/wait-until';
import { WsTestClient } from './support/ws-test-client';

/**
 * Each provider over real sockets: a WebSocket client → the service → the provider's local server,
 * chosen by `APPS` (issue 23 item 2) with `DEFAULT_APP`.

 */
const ASK = (text: string) => ({ type: 'asr_chunk', text, is_final: true });

async function ask(client: WsTestClient, text: string): Promise<string> {
  const from = client.received.length;
  client.send(ASK(text));
  const { text: answer } = await client.answer(from);
  await client.waitFor((m) => m.type === 'status' && m.stage === 'idle', { from });
  return answer;
}

describe('an openai app (e2e)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      dify: { chunkChars: 3, splitWrites: true, seed: 5 },
      env: (difyBaseUrl) => ({
        APPS: JSON.stringify({
          kb: { provider: 'openai', base_url: difyBaseUrl, api_key: TEST_API_KEY, model: 'local-rag', history_turns: 4 },
        }),
        DEFAULT_APP: 'kb',
      }),
    });
  });
  afterAll(() => stack.close());

  it('streams byte-exact, remembers the conversation, and forgets an interrupted answer', async () => {
    const client = await stack.connect();
    const first = await ask(client, '什么是 RAG？');
    await waitUntil(() => stack.dify.openAiStreams.length === 1);
    expect(first).toBe(stack.dify.openAiStreams[0].answer);
    await ask(client, 'How do refunds work?');
    const last = stack.dify.requests.filter((r) => r.path === '/v1/chat/completions').at(-1)!.body as { messages: unknown[] };
    expect(last.messages).toEqual([
      { role: 'user', content: '什么是 RAG？' },
      { role: 'assistant', content: first },
      { role: 'user', content: 'How do refunds work?' },
    ]);
    client.close();
  });

  it('closes the upstream request on barge-in, and maps its errors', async () => {
    const client = await stack.connect();
    stack.dify.injectFault({ kind: 'endless' });
    const ended = once(stack.dify, 'openai-stream-end');
    client.send(ASK('What is RAG?'));
    await client.waitFor((m) => m.type === 'answer');
    // Barge-in: a new question while the endless answer streams cancels it.
    const from = client.received.length;
    client.send(ASK('How do refunds work?'));
    const [record] = (await ended) as Array<{ outcome: string }>;
    expect(record.outcome).toBe('client-closed');
    await client.answer(from);
    await client.waitFor((m) => m.type === 'status' && m.stage === 'idle', { from });
    stack.dify.injectFault({ kind: 'http', status: 429 });
    stack.dify.injectFault({ kind: 'http', status: 429 });
    stack.dify.injectFault({ kind: 'http', status: 429 });
    client.send(ASK('What is RAG again?'));
    const error = await client.waitFor((m) => m.type === 'error');
    expect(error).toMatchObject({ code: 'UPSTREAM_RATE_LIMITED', upstream_status: 429 });
    client.close();
  });

  it('answers feedback with UNSUPPORTED_BY_APP naming the app', async () => {
    const client = await stack.connect();
    client.send(ASK('What is RAG?'));
    const { chunks } = await client.answer();
    client.send({ type: 'feedback', answer_id: chunks[0].answer_id, rating: 'like' });
    expect(await client.waitFor((m) => m.type === 'error')).toMatchObject({
      code: 'UNSUPPORTED_BY_APP',
      message: expect.stringContaining('kb'),
    });
    client.close();
  });
});

describe('a ragflow app (e2e)', () => {
  let stack: Stack;
  const ragflow = new LocalRagflowServer({ legacy: true, thinking: true, splitWrites: true, chunkChars: 3, chunkDelayMs: 2 });
  beforeAll(async () => {
    const { baseUrl } = await ragflow.listen();
    stack = await startStack({
      env: {
        APPS: JSON.stringify({ manuals: { provider: 'ragflow', base_url: baseUrl, api_key: 'local-key', chat_id: 'local-chat' } }),
        DEFAULT_APP: 'manuals',
      },
    });
  });
  afterAll(() => Promise.all([stack.close(), ragflow.close()]));

  it('streams a cumulative stream as exact deltas without reasoning, in one RAGFlow session, with sources', async () => {
    const client = await WsTestClient.connect(`${stack.wsUrl}?features=sources`);
    const first = await ask(client, '什么是 RAG？');
    expect(first).toBe(ragflow.streams[0].answer);
    expect(client.received.some((m) => m.type === 'sources' && (m.sources as unknown[]).length > 0)).toBe(true);
    await ask(client, 'And refunds?');
    expect([...ragflow.sessions.values()].map((s) => s.turns)).toEqual([2]);
    client.close();
  });
});

describe('a fastgpt app (e2e)', () => {
  let stack: Stack;
  const fastgpt = new LocalFastGptServer({ splitWrites: true, chunkChars: 3, chunkDelayMs: 2 });
  beforeAll(async () => {
    const { baseUrl } = await fastgpt.listen();
    stack = await startStack({
      env: { APPS: JSON.stringify({ support: { provider: 'fastgpt', base_url: baseUrl, api_key: 'local-key' } }), DEFAULT_APP: 'support' },
    });
  });
  afterAll(() => Promise.all([stack.close(), fastgpt.close()]));

  it('streams byte-exact in one chatId, the session inputs as variables', async () => {
    const client = await stack.connect();
    client.send({ type: 'hello', features: [], inputs: { name: '张三' } });
    await client.waitFor((m) => m.type === 'ack' && m.received_type === 'hello');
    const first = await ask(client, '什么是 RAG？');
    expect(first).toBe(fastgpt.streams[0].answer);
    await ask(client, 'And refunds?');
    expect([...fastgpt.chats.values()]).toEqual([['什么是 RAG？', 'And refunds?']]);
    expect(fastgpt.requests.at(-1)?.body).toMatchObject({ variables: { name: '张三' }, detail: true });
    client.close();
  });
});
