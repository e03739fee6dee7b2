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

describe('every provider beside a Dify app in one deployment (e2e)', () => {
  let stack: Stack;
  const ragflow = new LocalRagflowServer({ splitWrites: true, chunkChars: 3 });
  const fastgpt = new LocalFastGptServer({ splitWrites: true, chunkChars: 3 });
  beforeAll(async () => {
    const [{ baseUrl: ragflowUrl }, { baseUrl: fastgptUrl }] = await Promise.all([ragflow.listen(), fastgpt.listen()]);
    stack = await startStack({
      // Slow enough to drop a socket mid-answer.
      dify: { chunkChars: 3, chunkDelayMs: 20 },
      env: (difyBaseUrl) => ({
        APPS: JSON.stringify({
          hr: { base_url: difyBaseUrl, api_key: TEST_API_KEY },
          kb: { provider: 'openai', base_url: difyBaseUrl, api_key: TEST_API_KEY, model: 'local-rag' },
          manuals: { provider: 'ragflow', base_url: ragflowUrl, api_key: 'local-key', chat_id: 'local-chat' },
          broken: { provider: 'ragflow', base_url: ragflowUrl, api_key: 'not-the-key', chat_id: 'local-chat' },
          support: { provider: 'fastgpt', base_url: fastgptUrl, api_key: 'local-key' },
        }),
        DEFAULT_APP: 'hr',
      }),
    });
  });
  afterAll(() => Promise.all([stack.close(), ragflow.close(), fastgpt.close()]));

  it("is ready while one app's key is refused, naming each app's provider and state", async () => {
    const ready = await fetch(`${stack.httpUrl}/health/ready`);
    expect(ready.status).toBe(200);
    const { details } = (await ready.json()) as { details: { dify: { apps: Record<string, { status: string; provider: string }> } } };
    expect(details.dify.apps).toMatchObject({
      hr: { status: 'up', provider: 'dify' },
      kb: { status: 'up', provider: 'openai' },
      manuals: { status: 'up', provider: 'ragflow' },
      broken: { status: 'down', provider: 'ragflow' },
      support: { status: 'up', provider: 'fastgpt' },
    });
  });

  it("maps a provider's refusal of its key to UPSTREAM_UNAUTHORIZED, never echoing the key", async () => {
    const client = await WsTestClient.connect(`${stack.wsUrl}?app=broken`);
    client.send(ASK('What is RAG?'));
    const error = await client.waitFor((m) => m.type === 'error');
    // RAGFlow refuses a key with HTTP 200 and its code 109 in the body.
    expect(error).toMatchObject({ code: 'UPSTREAM_UNAUTHORIZED', message: expect.stringContaining('RAGFlow') as unknown });
    expect(JSON.stringify(error)).not.toContain('not-the-key');
    client.close();
  });

  it('answers a batch task in a FastGPT app, each text its own question', async () => {
    const texts = ['什么是 RAG？', 'How do refunds work?'];
    const submitted = await fetch(`${stack.httpUrl}/api/batch/tasks`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'support', texts, app: 'support' }),
    });
    expect(submitted.status).toBe(201);
    const { task_id: id } = (await submitted.json()) as { task_id: string };
    const get = async <T>(path: string) => (await (await fetch(`${stack.httpUrl}/api/batch/tasks/${id}${path}`)).json()) as T;
    await waitUntil(async () => (await get<{ status: string }>('')).status === 'completed');
    const { results } = await get<{ results: Array<{ text: string; content: string }> }>('/results');
    const answers = new Map(fastgpt.streams.map((s) => [s.question, s.answer]));
    expect(results.map((r) => r.content)).toEqual(texts.map((text) => answers.get(text)));
  });

  it("resumes an openai app's answer after a drop, from the answer log: what the client had plus what it gets is the answer", async () => {
    const first = await WsTestClient.connect(`${stack.wsUrl}?app=kb`);
    const from = stack.dify.openAiStreams.length;
    first.send({ ...ASK('什么是 RAG？'), session_id: 'resume-openai' });
    const { answer_id: answerId } = await first.waitFor((m) => m.type === 'answer');
    first.socket.terminate();
    const had = first.received.filter((m) => m.type === 'answer' && m.answer_id === answerId);
    const text = had.map((m) => String(m.content)).join('');

    const second = await WsTestClient.connect(`${stack.wsUrl}?app=kb`);
    const resume = {
      type: 'resume',
      session_id: 'resume-openai',
      answer_id: answerId,
      offset: Array.from(text).length,
      stream_index: had.length,
    };
    second.send(resume);
    const ack = await second.waitFor((m) => m.type === 'ack' && m.received_type === 'resume');
    const { chunks } = await second.answer(second.received.indexOf(ack));
    await waitUntil(() => stack.dify.openAiStreams.length === from + 1);
    expect(text + chunks.map((c) => String(c.content)).join('')).toBe(stack.dify.openAiStreams[from].answer);
    second.close();
  });
});
