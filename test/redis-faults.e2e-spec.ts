import { RedisServer, redisServerInstalled } from './support/redis-server';
import { Stack, startStack } from './support/stack';
import { waitUntil } from './support/wait-until';

// In CI a missing redis-server is a failure, never a silent skip: .ci/run installs it.
const describeWithRedis = redisServerInstalled() || process.env.CI ? describe : describe.skip;

const ask = (text: string, session_id: string) => ({ type: 'asr_chunk', text, is_final: true, session_id });

/** A frozen Redis (SIGSTOP) keeps its connections open and never answers, like a network partition. */
describeWithRedis('a frozen Redis stalls nothing (e2e)', () => {
  let redis: RedisServer;
  let stack: Stack;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  const start = async (env: Record<string, string> = {}) => {
    stack = await startStack({ env: { REDIS_URL: redis.url, ...env } });
  };
  afterEach(async () => {
    redis.thaw();
    await stack.close();
  });
  afterAll(() => redis.stop());

  const readiness = async () => {
    const response = await fetch(`${stack.httpUrl}/health/ready`);
    return { status: response.status, body: await response.json() };
  };

  // Redis stays frozen until the test thaws it: whatever is answered before that did not wait for it
  // (REDIS_COMMAND_TIMEOUT_MS ends each command). How soon is the benchmark's business, not a test's.
  it('answers SESSION_STORE_UNAVAILABLE and readiness 503 while Redis is frozen, frees the answer slot, and recovers on thaw', async () => {
    // One answer slot: a question stuck on Redis would make the next one SERVER_BUSY.
    await start({ MAX_CONCURRENT_ANSWERS: '1' });
    const client = await stack.connect();
    expect((await readiness()).status).toBe(200);
    redis.freeze();

    for (const session of ['frozen-1', 'frozen-2']) {
      const from = client.received.length;
      client.send(ask('什么是 RAG？', session));
      const error = await client.waitFor((m) => m.type === 'error', { from });
      expect(error).toMatchObject({ code: 'SESSION_STORE_UNAVAILABLE', retryable: true });
    }

    expect(await readiness()).toMatchObject({ status: 503, body: { error: { sessions: { status: 'down' } } } });

    redis.thaw();
    await waitUntil(async () => (await readiness()).status === 200);
    const from = client.received.length;
    client.send(ask('什么是 RAG？', 'thawed'));
    const { text } = await client.answer(from);
    expect(text).toBe(stack.dify.streams.at(-1)!.answer);
    client.close();
  });

  it('shuts down while Redis is frozen, with an answer streaming and a question waiting on Redis', async () => {
    // Longer than the question's wait on Redis, shorter than the answer.
    await start({ SHUTDOWN_GRACE_MS: '2000' });
    Object.assign(stack.dify.options, { chunkDelayMs: 200, chunkChars: 1 });
    const streaming = await stack.connect();
    streaming.send(ask('什么是 RAG？', 'streaming-at-shutdown'));
    await streaming.waitFor((m) => m.type === 'answer');
    redis.freeze();
    const waiting = await stack.connect();
    waiting.send(ask('什么是 RAG？', 'frozen-at-shutdown'));
    await waiting.waitFor((m) => m.type === 'status' && m.stage === 'querying_rag');

    await stack.app.close();
    expect(streaming.received.at(-1)).toMatchObject({ type: 'error', code: 'SHUTTING_DOWN' });
    // Handed over (with Redis): left to Dify for a client that resumes it elsewhere, not stopped.
    expect(streaming.received.some((m) => m.type === 'answer' && m.final === true)).toBe(false);
    expect(stack.dify.stopCalls).toEqual([]);
    expect(waiting.received).toContainEqual(expect.objectContaining({ type: 'error', code: 'SESSION_STORE_UNAVAILABLE' }));
    for (const client of [streaming, waiting]) expect((await client.waitForClose()).code).toBe(1001);
  });
});
