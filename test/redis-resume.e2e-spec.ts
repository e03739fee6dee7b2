import { LocalDifyServer } from '../src/local-dify';
import { RedisServer, redisServerInstalled } from './support/redis-server';
import { startApp, TEST_API_KEY } from './support/stack';
import { waitUntil } from './support/wait-until';
import { Message, WsTestClient } from './support/ws-test-client';

// In CI a missing redis-server is a failure, never a silent skip: .ci/run installs it.
const describeWithRedis = redisServerInstalled() || process.env.CI ? describe : describe.skip;

const ask = (text: string, session_id: string) => ({ type: 'asr_chunk', text, is_final: true, session_id });

/** What a client has of an answer, and where a resume would start. */
function progress(client: WsTestClient, answerId: string) {
  const text = client.received
    .filter((m) => m.type === 'answer' && m.answer_id === answerId)
    .map((c) => String(c.content))
    .join('');
  const streamIndex = client.received.filter((m) => m.type === 'answer' && m.answer_id === answerId).length;
  return { text, offset: Array.from(text).length, streamIndex };
}

/**
 * Resumes on `client` (another instance) the answer of which the client had `had`, and checks what
 * comes: the rest of Dify's answer byte for byte, numbered on, its final chunk complete, then idle.
 */
async function resumesTheRest(client: WsTestClient, session: string, answerId: string, had: ReturnType<typeof progress>, answer: string) {
  client.send({ type: 'resume', session_id: session, answer_id: answerId, offset: had.offset, stream_index: had.streamIndex });
  const ack = await client.waitFor((m) => m.type === 'ack' && m.received_type === 'resume');
  const { chunks } = await client.answer(client.received.indexOf(ack), 15_000);
  expect(had.text + chunks.map((c) => String(c.content)).join('')).toBe(answer);
  expect(chunks.map((c) => c.stream_index)).toEqual(chunks.map((_, i) => had.streamIndex + i));
  expect(chunks.at(-1)).toMatchObject({ final: true, finish_reason: 'complete', answer_id: answerId });
  await client.waitFor((m) => m.type === 'status' && m.stage === 'idle', { from: client.received.indexOf(chunks.at(-1)!) });
}

describeWithRedis('answers across instances, through Redis (e2e)', () => {
  let redis: RedisServer;
  let dify: LocalDifyServer;
  let difyUrl: string;
  beforeAll(async () => {
    redis = await RedisServer.start();
    // About 2 s per answer: long enough to drop a socket mid-answer and outlast a 1 s grace.
    dify = new LocalDifyServer({ apiKeys: [TEST_API_KEY], chunkDelayMs: 40, chunkChars: 2, firstChunkDelayMs: 0 });
    difyUrl = (await dify.listen()).baseUrl;
  });
  afterAll(async () => {
    await dify.close();
    await redis.stop();
  });

  const instance = () => startApp({ DIFY_API_KEY: TEST_API_KEY, DIFY_BASE_URL: difyUrl, REDIS_URL: redis.url, RESUME_GRACE_SECONDS: '1' });

  it('resumes mid-answer on the other instance, which follows it past the owner’s grace to the end', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    try {
      const onA = await a.connect();
      onA.send(ask('什么是 RAG？', 'cross-1'));
      const answerId = String((await onA.waitFor((m) => m.type === 'status' && m.stage === 'querying_rag')).answer_id);
      await onA.waitFor(() => progress(onA, answerId).streamIndex >= 3);
      onA.socket.terminate();
      const had = progress(onA, answerId);

      const onB = await b.connect();
      const record = dify.streams.at(-1)!;
      await resumesTheRest(onB, 'cross-1', answerId, had, record.answer);
      // The owner's 1 s grace passed while B followed: it kept the answer going instead of stopping it.
      expect(record.outcome).toBe('completed');
      expect(dify.stopCalls.filter((c) => c.taskId === record.taskId)).toEqual([]);
      onB.close();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 30_000);

  it('resumes on the other instance an answer that ended while the client was away (stopped after the grace), and never another session’s', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    try {
      const onA = await a.connect();
      onA.send(ask('What is Dify?', 'cross-2'));
      const answerId = String((await onA.waitFor((m) => m.type === 'status' && m.stage === 'querying_rag')).answer_id);
      await onA.waitFor((m) => m.type === 'answer');
      const had = progress(onA, answerId);
      onA.socket.terminate();
      // Nobody follows within the grace: the owner stops it; the log keeps what was said.
      await waitUntil(() => dify.streams.at(-1)!.outcome !== 'open', 10_000);

      const onB = await b.connect();
      onB.send({ type: 'resume', session_id: 'cross-2', answer_id: answerId, offset: had.offset, stream_index: had.streamIndex });
      const idle = await onB.waitFor((m) => m.type === 'status' && m.stage === 'idle');
      const rest = onB.received.slice(0, onB.received.indexOf(idle)).filter((m) => m.type === 'answer');
      expect(rest.at(-1)).toMatchObject({ final: true, finish_reason: 'interrupted', answer_id: answerId });
      const held = heldText(had.text, rest);
      expect(held.length).toBeGreaterThan(had.text.length);
      expect(dify.streams.at(-1)!.answer.startsWith(held)).toBe(true);

      const stranger = await b.connect();
      stranger.send({ type: 'resume', session_id: 'someone-else', answer_id: answerId, offset: 0, stream_index: 0 });
      expect(await stranger.waitFor((m) => m.type === 'error')).toMatchObject({ code: 'RESUME_UNAVAILABLE' });
      onB.close();
      stranger.close();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 30_000);

  it('hands an answer over at shutdown: SHUTTING_DOWN without a final chunk, Dify not stopped, the rest resumed on the other instance from Dify’s history', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    try {
      const onA = await a.connect();
      onA.send(ask('什么是 RAG？', 'handed-over'));
      const answerId = String((await onA.waitFor((m) => m.type === 'status' && m.stage === 'querying_rag')).answer_id);
      await onA.waitFor(() => progress(onA, answerId).streamIndex >= 3);
      // SHUTDOWN_GRACE_MS is 300 in tests: far shorter than the rest of this answer.
      await a.close();
      const record = dify.streams.at(-1)!;
      expect(onA.received.find((m) => m.type === 'error')).toMatchObject({ code: 'SHUTTING_DOWN' });
      expect(onA.received.some((m) => m.type === 'answer' && m.final === true)).toBe(false);
      expect(record.generation).toBe('running');
      const had = progress(onA, answerId);

      const onB = await b.connect();
      await resumesTheRest(onB, 'handed-over', answerId, had, record.answer);
      expect(record.generation).toBe('completed');
      expect(dify.stopCalls.filter((c) => c.taskId === record.taskId)).toEqual([]);
      onB.close();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 30_000);

  it('makes one Dify call per session at a time across instances: a question on B interrupts the answer on A first', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    let mostAtOnce = 0;
    const watch = setInterval(() => {
      mostAtOnce = Math.max(mostAtOnce, dify.streams.filter((s) => s.user.endsWith(':flight') && s.outcome === 'open').length);
    }, 2);
    try {
      const onA = await a.connect();
      const onB = await b.connect();
      onA.send(ask('什么是 RAG？', 'flight'));
      await onA.waitFor((m) => m.type === 'answer');
      onB.send(ask('What is Dify?', 'flight'));
      const interrupted = await onA.waitFor((m) => m.type === 'answer' && m.final === true, { timeoutMs: 10_000 });
      expect(interrupted).toMatchObject({ finish_reason: 'interrupted' });
      const { text } = await onB.answer(0, 15_000);
      const [first, second] = dify.streams.filter((s) => s.user.endsWith(':flight'));
      expect(first.outcome).not.toBe('completed');
      expect(text).toBe(second.answer);
      expect(second.conversationId).toBe(first.conversationId);
      expect(mostAtOnce).toBe(1);
      onA.close();
      onB.close();
    } finally {
      clearInterval(watch);
      await Promise.all([a.close(), b.close()]);
    }
  }, 30_000);

  it('shows a session’s answer to its connection on another instance as it streams', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    try {
      const agent = await a.connect();
      const supervisor = await b.connect();
      supervisor.send({ type: 'keepalive', session_id: 'watched' });
      await supervisor.waitFor((m) => m.type === 'ack' && m.received_type === 'keepalive');
      agent.send(ask('什么是 RAG？', 'watched'));
      const [{ text: asked }, { text: watched, chunks }] = await Promise.all([agent.answer(0, 15_000), supervisor.answer(0, 15_000)]);
      expect(watched).toBe(asked);
      expect(asked).toBe(dify.streams.at(-1)!.answer);
      expect(chunks.length).toBeGreaterThan(1);
      expect(chunks.map((c) => c.stream_index)).toEqual(chunks.map((_, i) => i));
      agent.close();
      supervisor.close();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 30_000);
});

/** What the client holds after the rest: what it had plus every chunk's content. */
function heldText(had: string, rest: Message[]): string {
  return had + rest.map((c) => String(c.content)).join('');
}
