import { waitUntil } from './support/wait-until';
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
    // At once: a pause would race the 400 ms question wait on a busy machine, where timers fire late.
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

describe('adaptive end of turn over a real socket (e2e)', () => {
  let stack: Stack;
  let client: WsTestClient;
  beforeEach(async () => {
    stack = await startStack({
      env: { TURN_POLICY: 'adaptive', QUESTION_WAIT_MS: '800', QUESTION_WAIT_MS_PUNCTUATED: '300' },
      dify: { chunkDelayMs: 10 },
    });
    client = await stack.connect();
  });
  afterEach(async () => {
    client.close();
    await stack.close();
  });

  it('takes a question back when the speaker goes on before its answer shows, and answers the whole question once', async () => {
    // Dify's first token takes long enough for the speaker to go on before any answer text shows (the
    // one window here is Dify's pace: the service learns the task to stop from that first event); the
    // question that follows gets its answer at once.
    stack.dify.options.firstChunkDelayMs = 5000;
    client.send(chunk('年假有几天', true));
    await waitUntil(() => stack.dify.streams.length === 1);
    stack.dify.options.firstChunkDelayMs = 0;
    client.send(chunk('对于', false));
    client.send(chunk('对于入职不满一年的员工', true));
    const { chunks, text } = await client.answer();
    expect(queries(stack)).toEqual(['年假有几天', '年假有几天对于入职不满一年的员工']);
    const [abandoned, whole] = stack.dify.streams;
    expect(abandoned.outcome).not.toBe('completed');
    await waitUntil(() => stack.dify.stopCalls.some((c) => c.taskId === abandoned.taskId));
    expect(text).toBe(whole.answer);
    expect(new Set(chunks.map((c) => c.answer_id)).size).toBe(1);
    const answerIds = client.received.filter((m) => m.type === 'status' && m.stage === 'querying_rag').map((m) => m.answer_id);
    expect(answerIds).toHaveLength(2);
    expect(chunks[0].answer_id).toBe(answerIds[1]);
    expect(client.received.some((m) => m.type === 'answer' && m.answer_id === answerIds[0])).toBe(false);
  });

  it('keeps an answer whose text reached the client: the words that follow are a turn of their own', async () => {
    client.send(chunk('年假有几天', true));
    await client.waitFor((m) => m.type === 'answer');
    client.send(chunk('对于', false));
    client.send(chunk('对于入职不满一年的员工', true));
    const { chunks } = await client.answer();
    expect(chunks.at(-1)).toMatchObject({ finish_reason: 'complete' });
    expect(queries(stack)).toEqual(['年假有几天']);
    expect(stack.dify.stopCalls).toEqual([]);
  });
});
