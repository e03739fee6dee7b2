import { LocalDifyServer } from '../src/local-dify';
import { redisServerInstalled } from './support/redis-server';
import { RedisSentinels, SENTINEL_MASTER } from './support/redis-sentinel';
import { startApp, TEST_API_KEY } from './support/stack';
import { waitUntil } from './support/wait-until';
import { Message, WsTestClient } from './support/ws-test-client';

// In CI a missing redis-server is a failure, never a silent skip: .ci/run installs it.
const describeWithRedis = redisServerInstalled() || process.env.CI ? describe : describe.skip;

const ask = (text: string, session_id: string) => ({ type: 'asr_chunk', text, is_final: true, session_id });

/** The end of the answer a question started: its final chunk, or an error (which must say it can be retried). */
function outcome(client: WsTestClient, from: number): Promise<Message> {
  return client.waitFor((m) => (m.type === 'answer' && m.final === true) || m.type === 'error', { from, timeoutMs: 30_000 });
}

describeWithRedis('on Redis Sentinel: one master, one replica, three sentinels (e2e)', () => {
  let sentinels: RedisSentinels;
  let dify: LocalDifyServer;
  let difyUrl: string;
  beforeAll(async () => {
    sentinels = await RedisSentinels.start();
    // About 2 s per answer: long enough to fail the master over mid-answer.
    dify = new LocalDifyServer({ apiKeys: [TEST_API_KEY], chunkDelayMs: 40, chunkChars: 2, firstChunkDelayMs: 0 });
    difyUrl = (await dify.listen()).baseUrl;
  }, 60_000);
  afterAll(async () => {
    await dify.close();
    await sentinels.stop();
  });

  const instance = () =>
    startApp({
      DIFY_API_KEY: TEST_API_KEY,
      DIFY_BASE_URL: difyUrl,
      REDIS_SENTINELS: sentinels.addresses,
      REDIS_SENTINEL_NAME: SENTINEL_MASTER,
    });
  const ready = async (httpUrl: string) => (await fetch(`${httpUrl}/health/ready`)).status === 200;

  /**
   * Asks on A, fails the master over mid-answer with `failover`, and checks that both instances carry
   * on by themselves; `keeps`: the session's conversation survives (a master killed may take the
   * session's last write with it: Redis replicates asynchronously).
   */
  async function survives(session: string, failover: () => Promise<unknown>, keeps: boolean): Promise<void> {
    const [a, b] = await Promise.all([instance(), instance()]);
    try {
      expect(await ready(a.httpUrl)).toBe(true);
      const onA = await a.connect();
      onA.send(ask('什么是 RAG？', session));
      await onA.waitFor((m) => m.type === 'answer');
      await failover();
      const end = await outcome(onA, 0);
      if (end.type === 'error') expect(end).toMatchObject({ retryable: true });
      await waitUntil(async () => (await ready(a.httpUrl)) && (await ready(b.httpUrl)), 30_000);

      // No restart: the next question is answered on the other instance, in the same conversation.
      const onB = await b.connect();
      const onAFrom = onA.received.length;
      onB.send(ask('它有什么优点？', session));
      const { text } = await onB.answer(0, 20_000);
      const [first, followUp] = dify.streams.filter((s) => s.user.endsWith(`:${session}`));
      expect(text).toBe(followUp.answer);
      // The session's other connection, on A, is sent B's answer too (announced, followed through the log).
      expect((await onA.answer(onAFrom, 20_000)).text).toBe(followUp.answer);
      if (keeps && end.type === 'answer') expect(followUp.conversationId).toBe(first.conversationId);
      onA.close();
      onB.close();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }

  it('follows a failover mid-answer (SENTINEL FAILOVER demotes the master): no hang, ready again without a restart', async () => {
    await survives('sentinel-demoted', () => sentinels.failover(), true);
  }, 90_000);

  it('follows the replica promoted when the master dies mid-answer', async () => {
    const master = await sentinels.masterPort();
    await survives(
      'sentinel-killed',
      async () => {
        await sentinels.servers.find((server) => server.port === master)!.stop();
        await waitUntil(async () => (await sentinels.masterPort()) !== master, 30_000);
      },
      false,
    );
  }, 90_000);
});
