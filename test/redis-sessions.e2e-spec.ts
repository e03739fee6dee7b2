import Redis from 'ioredis';
import { LocalDifyServer } from '../src/local-dify';
import { RedisServer, redisServerInstalled } from './support/redis-server';
import { startApp, TEST_API_KEY } from './support/stack';
import { waitUntil } from './support/wait-until';

// In CI a missing redis-server is a failure, never a silent skip: .ci/run installs it.
const describeWithRedis = redisServerInstalled() || process.env.CI ? describe : describe.skip;

const ask = (text: string, session_id: string) => ({ type: 'asr_chunk', text, is_final: true, session_id });

describeWithRedis('sessions in Redis, shared by two instances (e2e)', () => {
  let redis: RedisServer;
  let dify: LocalDifyServer;
  let difyUrl: string;
  beforeAll(async () => {
    redis = await RedisServer.start();
    dify = new LocalDifyServer({ apiKeys: [TEST_API_KEY], chunkDelayMs: 1, firstChunkDelayMs: 0 });
    difyUrl = (await dify.listen()).baseUrl;
  });
  afterAll(async () => {
    await dify.close();
    await redis.stop();
  });

  const instance = () => startApp({ DIFY_API_KEY: TEST_API_KEY, DIFY_BASE_URL: difyUrl, REDIS_URL: redis.url, SESSION_TTL_SECONDS: '60' });

  it('continues a conversation on the other instance after a reconnect', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    try {
      const onA = await a.connect();
      onA.send(ask('什么是 RAG？', 'shared-session'));
      await onA.answer();
      onA.close();
      const onB = await b.connect();
      onB.send(ask('它有什么优点？', 'shared-session'));
      const { text } = await onB.answer();
      const followUp = dify.streams.at(-1)!;
      expect(followUp.conversationId).toBe(dify.streams.at(-2)!.conversationId);
      expect(text).toMatch(/优点|答案|知识库/);
      onB.close();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('takes feedback on the other instance for an answer streamed on this one, in the session that had it only', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    const store = new Redis(redis.url);
    try {
      const onA = await a.connect();
      onA.send(ask('年假有几天？', 'rated-session'));
      const { chunks } = await onA.answer();
      const { messageId, user } = dify.streams.at(-1)!;
      const feedbacks = () => dify.requests.filter((r) => r.path === `/v1/messages/${messageId}/feedbacks`);
      onA.close();
      // A keeps the answer's Dify message when Dify names it (its first event), not awaited by the stream: wait for the write.
      const kept = async () => {
        const [messages] = await store.keys('realtime-rag:session:*rated-session}:messages');
        return messages !== undefined && (await store.lrange(messages, 0, -1)).some((entry) => entry.includes(messageId));
      };
      await waitUntil(kept);
      const onB = await b.connect();
      onB.send({ type: 'feedback', answer_id: chunks[0].answer_id, rating: 'like', session_id: 'rated-session' });
      await waitUntil(() => feedbacks().length === 1);
      expect(feedbacks()[0].body).toEqual({ rating: 'like', user });
      // Another session knows no such answer.
      onB.send({ type: 'feedback', answer_id: chunks[0].answer_id, rating: 'dislike', session_id: 'other-session' });
      const refused = await onB.waitFor((m) => m.type === 'error');
      expect(refused).toMatchObject({ code: 'UNKNOWN_ANSWER' });
      expect(feedbacks()).toHaveLength(1);
      onB.close();
    } finally {
      store.disconnect();
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('forgets a session unused for SESSION_TTL_SECONDS', async () => {
    const app = await startApp({ DIFY_API_KEY: TEST_API_KEY, DIFY_BASE_URL: difyUrl, REDIS_URL: redis.url, SESSION_TTL_SECONDS: '1' });
    const store = new Redis(redis.url);
    try {
      const client = await app.connect();
      client.send(ask('什么是 RAG？', 'short-lived'));
      await client.answer();
      // Until Redis has forgotten it, when SESSION_TTL_SECONDS has passed since the session was last used.
      const sessionKeys = () => store.keys('realtime-rag:session:*short-lived}');
      await waitUntil(async () => (await sessionKeys()).length === 1);
      await waitUntil(async () => (await sessionKeys()).length === 0);
      const from = client.received.length;
      client.send(ask('它有什么优点？', 'short-lived'));
      await client.answer(from);
      const requests = dify.requests.filter((r) => r.path === '/v1/chat-messages').slice(-2);
      expect((requests[1].body as { conversation_id?: string }).conversation_id).toBeUndefined();
      client.close();
    } finally {
      store.disconnect();
      await app.close();
    }
  });

  it('says SESSION_STORE_UNAVAILABLE and readiness 503 while Redis is down, and recovers when it is back', async () => {
    const app = await instance();
    try {
      const client = await app.connect();
      expect((await fetch(`${app.httpUrl}/health/ready`)).status).toBe(200);
      await redis.stop();

      client.send(ask('What is RAG?', 'down-session'));
      expect(await client.waitFor((m) => m.type === 'error')).toMatchObject({ code: 'SESSION_STORE_UNAVAILABLE', retryable: true });
      const ready = await fetch(`${app.httpUrl}/health/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ error: { sessions: { status: 'down' } } });

      await redis.run();
      const readiness = `${app.httpUrl}/health/ready`;
      await waitUntil(async () => (await fetch(readiness)).status === 200);
      const from = client.received.length;
      client.send(ask('What is RAG?', 'down-session'));
      const { text } = await client.answer(from);
      expect(text.length).toBeGreaterThan(0);
      client.close();
    } finally {
      await app.close();
    }
  });
});
