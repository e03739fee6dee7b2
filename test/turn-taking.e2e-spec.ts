import { Stack, startStack } from './support/stack';
import { WsTestClient } from './support/ws-test-client';

const chunk = (text: string, is_final: boolean) => ({ type: 'asr_chunk', text, is_final });
const queries = (stack: Stack) =>
  stack.dify.requests.filter((r) => r.path === '/v1/chat-messages').map((r) => (r.body as { query: string }).query);

describe('turn-taking over a real socket (e2e)', () => {
  let stack: Stack;
  let client: WsTestClient;
  beforeEach(async () => {
    stack = await startStack({ env: { QUESTION_WAIT_MS: '400', QUESTION_WAIT_MS_PUNCTUATED: '150' }, dify: { chunkDelayMs: 20 } });
    client = await stack.connect();
  });
  afterEach(async () => {
    client.close();
    await stack.close();
  });

  it('asks once, with the whole question, when it is spoken in three partials and two finals', async () => {
    client.send(chunk('how do I', false));
    client.send(chunk('how do I reset', false));
    client.send(chunk('how do I reset my', false));
    client.send(chunk('how do I reset my', true));
    await new Promise((r) => setTimeout(r, 100));
    client.send(chunk('VPN password', true));
    const { text } = await client.answer();
    expect(queries(stack)).toEqual(['how do I reset my VPN password']);
    expect(text).toMatch(/VPN/);
  });

  it('sends only the question after small talk', async () => {
    for (const text of ['今天天气不错', '是啊，周末还要加班', '好的']) client.send(chunk(text, true));
    client.send(chunk('年假有几天？', true));
    await client.answer();
    expect(queries(stack)).toEqual(['年假有几天？']);
    const stages = client.received.filter((m) => m.type === 'status').map((m) => m.stage);
    expect(stages.filter((s) => s === 'waiting_for_question')).toHaveLength(3);
  });

  it('lets a backchannel pass while an answer streams, without interrupting it', async () => {
    client.send(chunk('什么是 RAG？', true));
    await client.waitFor((m) => m.type === 'answer');
    client.send(chunk('嗯', true));
    client.send(chunk('好的', true));
    const { chunks, text } = await client.answer();
    expect(chunks.at(-1)).toMatchObject({ finish_reason: 'complete' });
    expect(text).toBe(stack.dify.streams[0].answer);
    expect(client.received.some((m) => m.type === 'status' && m.stage === 'interrupting')).toBe(false);
    expect(stack.dify.stopCalls).toEqual([]);
  });
});
