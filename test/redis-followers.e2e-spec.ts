import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalDifyServer } from '../src/local-dify';
import { lastingConnections, RedisCluster } from './support/redis-cluster';
import { RedisServer, redisServerInstalled } from './support/redis-server';
import { startApp, TEST_API_KEY } from './support/stack';
import { WsTestClient } from './support/ws-test-client';

// In CI a missing redis-server is a failure, never a silent skip: .ci/run installs it.
const describeWithRedis = redisServerInstalled() || process.env.CI ? describe : describe.skip;

/** Sessions followed at once from the other instance: each used to cost a connection of its own. */
const SESSIONS = 12;

const ask = (text: string, session_id: string) => ({ type: 'asr_chunk', text, is_final: true, session_id });
type App = Awaited<ReturnType<typeof startApp>>;

/**
 * On B, a connection of each of `count` sessions (a supervisor); on A, a question in each: B follows
 * every answer through the log. Resolves once every supervisor has part of its answer.
 */
async function followedFromB(a: App, b: App, prefix: string, count = SESSIONS) {
  const sessions = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  const supervisors = await Promise.all(sessions.map(() => b.connect()));
  supervisors.forEach((supervisor, i) => supervisor.send({ type: 'keepalive', session_id: sessions[i] }));
  await Promise.all(supervisors.map((s) => s.waitFor((m) => m.type === 'ack' && m.received_type === 'keepalive')));
  const agents = await Promise.all(sessions.map(() => a.connect()));
  agents.forEach((agent, i) => agent.send(ask('什么是 RAG？', sessions[i])));
  await Promise.all(supervisors.map((supervisor) => supervisor.waitFor((m) => m.type === 'answer')));
  return { agents, supervisors };
}

/** Every supervisor saw its session's answer as its agent did, to the same final chunk. */
async function sameAnswers(agents: WsTestClient[], supervisors: WsTestClient[]): Promise<void> {
  const asked = await Promise.all(agents.map((agent) => agent.answer(0, 20_000)));
  const watched = await Promise.all(supervisors.map((supervisor) => supervisor.answer(0, 20_000)));
  expect(watched.map(({ text }) => text)).toEqual(asked.map(({ text }) => text));
  expect(watched.map(({ chunks }) => chunks.at(-1)!.finish_reason)).toEqual(asked.map(({ chunks }) => chunks.at(-1)!.finish_reason));
  for (const client of [...agents, ...supervisors]) client.close();
}

describeWithRedis('followers of answers across instances share one reader per instance (e2e)', () => {
  let dify: LocalDifyServer;
  let difyUrl: string;
  beforeAll(async () => {
    // About 2 s per answer: every session's answer streams while the others do.
    dify = new LocalDifyServer({ apiKeys: [TEST_API_KEY], chunkDelayMs: 40, chunkChars: 2, firstChunkDelayMs: 0 });
    difyUrl = (await dify.listen()).baseUrl;
  });
  afterAll(() => dify.close());

  describe('on one Redis', () => {
    let redis: RedisServer;
    let dir: string;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'redis-followers-'));
      // Persistent, as a production Redis: a restart keeps the answers' streams.
      redis = await RedisServer.start(undefined, dir);
    });
    afterAll(async () => {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    const instance = () => startApp({ DIFY_API_KEY: TEST_API_KEY, DIFY_BASE_URL: difyUrl, REDIS_URL: redis.url });

    it(`follows ${SESSIONS} answers of another instance on one more Redis connection, not one per follower`, async () => {
      const [a, b] = await Promise.all([instance(), instance()]);
      try {
        const before = await lastingConnections([redis.port]);
        const { agents, supervisors } = await followedFromB(a, b, 'many');
        expect((await lastingConnections([redis.port])) - before).toBeLessThanOrEqual(1);
        await sameAnswers(agents, supervisors);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    }, 60_000);

    it('loses nothing of the answers it follows while Redis restarts', async () => {
      const [a, b] = await Promise.all([instance(), instance()]);
      try {
        const { agents, supervisors } = await followedFromB(a, b, 'restart', 4);
        await redis.stop();
        // While Redis is away the owner goes on streaming to its own clients (and retries its writes).
        const had = agents.map((agent) => agent.received.length);
        await Promise.all(agents.map((agent, i) => agent.waitFor(() => agent.received.length > had[i] + 2)));
        await redis.run();
        await sameAnswers(agents, supervisors);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    }, 60_000);
  });

  describe('on a Redis Cluster of three masters', () => {
    let cluster: RedisCluster;
    beforeAll(async () => {
      cluster = await RedisCluster.start(3, 0);
    }, 60_000);
    afterAll(() => cluster.stop());
    // REDIS_URL unset: two apps started at once may leave the other suite's behind in process.env.
    const instance = () =>
      startApp({ DIFY_API_KEY: TEST_API_KEY, DIFY_BASE_URL: difyUrl, REDIS_URL: undefined, REDIS_CLUSTER_NODES: cluster.seeds });

    it(`follows ${SESSIONS} answers of another instance without a connection more, once connected to every master`, async () => {
      const [a, b] = await Promise.all([instance(), instance()]);
      const masters = await cluster.masters();
      try {
        // A Cluster client connects to a master at its first command there: a first round, over enough
        // sessions to land on every master, has every client of both instances connected to each.
        const warm = await followedFromB(a, b, 'cluster-warm', 2 * SESSIONS);
        await sameAnswers(warm.agents, warm.supervisors);
        const before = await lastingConnections(masters);
        const { agents, supervisors } = await followedFromB(a, b, 'cluster-many');
        expect((await lastingConnections(masters)) - before).toBeLessThanOrEqual(0);
        await sameAnswers(agents, supervisors);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    }, 60_000);
  });
});
