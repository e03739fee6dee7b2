import { LocalDifyServer } from '../src/local-dify';
import { redisCli } from './support/redis-cluster';
import { RedisServer, redisServerInstalled } from './support/redis-server';
import { startApp, TEST_API_KEY } from './support/stack';
import { waitUntil } from './support/wait-until';
import { WsTestClient } from './support/ws-test-client';

// In CI a missing redis-server is a failure, never a silent skip: .ci/run installs it.
const describeWithRedis = redisServerInstalled() || process.env.CI ? describe : describe.skip;

const ask = (text: string, session_id: string) => ({ type: 'asr_chunk', text, is_final: true, session_id });

/** Names the session on `client` (joining its room there), once the ack says so. */
async function join(client: WsTestClient, session: string): Promise<void> {
  const from = client.received.length;
  client.send({ type: 'keepalive', session_id: session });
  await client.waitFor((m) => m.type === 'ack' && m.received_type === 'keepalive', { from });
}

/** The agent asks in `session`; the supervisor, on another instance, is shown the same answer. */
async function expectSeenAsAsked(agent: WsTestClient, supervisor: WsTestClient, session: string): Promise<void> {
  const from = { agent: agent.received.length, supervisor: supervisor.received.length };
  agent.send(ask('什么是 RAG？', session));
  const [asked, watched] = await Promise.all([agent.answer(from.agent, 15_000), supervisor.answer(from.supervisor, 15_000)]);
  expect(watched.text).toBe(asked.text);
}

describeWithRedis('announcements reach only the instances with connections of the session (e2e)', () => {
  let redis: RedisServer;
  let dify: LocalDifyServer;
  let difyUrl: string;
  beforeAll(async () => {
    redis = await RedisServer.start();
    dify = new LocalDifyServer({ apiKeys: [TEST_API_KEY], chunkDelayMs: 10, chunkChars: 4, firstChunkDelayMs: 0 });
    difyUrl = (await dify.listen()).baseUrl;
  });
  afterAll(async () => {
    await dify.close();
    await redis.stop();
  });

  const instance = () => startApp({ DIFY_API_KEY: TEST_API_KEY, DIFY_BASE_URL: difyUrl, REDIS_URL: redis.url });
  /** How many connections subscribe the session's announcement channel (one per instance with a room; its key ends `%00<session id>}`). */
  const subscribers = async (session: string) => {
    const channels = (await redisCli(redis.port, 'pubsub', 'channels', '*:answers-of:*')).split('\n').filter(Boolean);
    const channel = channels.find((name) => name.endsWith(`%00${session}}`));
    return channel ? Number((await redisCli(redis.port, 'pubsub', 'numsub', channel)).split('\n')[1]) : 0;
  };

  it('subscribes a session’s channel once per instance with connections of it, from before the ack, until the last one leaves', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    try {
      const [onA, alsoOnA, onB] = await Promise.all([a.connect(), a.connect(), b.connect()]);
      expect(await redisCli(redis.port, 'pubsub', 'numpat')).toBe('0');

      await join(onA, 'counted');
      // The ack came after the subscription was in force.
      expect(await subscribers('counted')).toBe(1);
      await join(alsoOnA, 'counted');
      expect(await subscribers('counted')).toBe(1);
      await join(onB, 'counted');
      expect(await subscribers('counted')).toBe(2);

      // A session only A has: B is not subscribed, so none of its announcements reach B.
      const alone = await a.connect();
      await join(alone, 'only-on-a');
      alone.send(ask('什么是 RAG？', 'only-on-a'));
      await alone.answer();
      expect(await subscribers('only-on-a')).toBe(1);

      onB.close();
      await waitUntil(async () => (await subscribers('counted')) === 1);
      onA.close();
      alsoOnA.close();
      alone.close();
      await waitUntil(async () => (await subscribers('counted')) === 0 && (await subscribers('only-on-a')) === 0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 30_000);

  it('shows every answer asked on A at once after a connection on B joined, for fresh sessions one after the other', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    try {
      const [agent, supervisor] = await Promise.all([a.connect(), b.connect()]);
      for (let i = 0; i < 5; i++) {
        const session = `at-once-${i}`;
        await join(supervisor, session);
        await expectSeenAsAsked(agent, supervisor, session);
      }
      agent.close();
      supervisor.close();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 60_000);

  it('subscribes again after Redis restarts: a joined connection on B still sees what A answers', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    try {
      const [agent, supervisor] = await Promise.all([a.connect(), b.connect()]);
      await join(supervisor, 'restarted');
      await redis.stop();
      await redis.run();
      await waitUntil(async () => (await subscribers('restarted')) === 1);
      await waitUntil(async () => (await fetch(`${a.httpUrl}/health/ready`)).status === 200);
      await expectSeenAsAsked(agent, supervisor, 'restarted');
      agent.close();
      supervisor.close();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 60_000);
});
