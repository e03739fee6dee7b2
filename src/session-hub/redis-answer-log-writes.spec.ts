import Redis from 'ioredis';
import { RedisConnections, sessionKey } from '../session';
import { AnswerLog } from './answer-log';
import { HOLE } from './answer-log-entries';
import { RedisAnswerLog } from './redis-answer-log';
import { RedisStreamWriter } from './redis-stream-writer';
import { RedisServer, redisServerInstalled } from '../../test/support/redis-server';
import { waitUntil } from '../../test/support/wait-until';

// In CI a missing redis-server is a failure, never a silent skip: .ci/run installs it.
const describeWithRedis = redisServerInstalled() || process.env.CI ? describe : describe.skip;

const session = sessionKey('alice', 'default', 'writes-1');
const chunk = (answer_id: string, content: string) => ({ type: 'answer', content, final: false, answer_id, session_id: 'writes-1' });

/** The answer log's writes on a real Redis: what its script and entries do there, not a fake's idea of it. */
describeWithRedis('the answer log writes on a real Redis', () => {
  let redis: RedisServer;
  let admin: Redis;
  let connections: RedisConnections;
  let store: Redis;
  let log: RedisAnswerLog;
  beforeAll(async () => {
    redis = await RedisServer.start();
    admin = new Redis(redis.url);
    connections = new RedisConnections({ mode: 'standalone', url: redis.url, nodes: [], keyPrefix: 'writes' } as never);
  });
  beforeEach(() => {
    store = connections.open() as Redis;
    log = new RedisAnswerLog(store, connections, 300_000, 5000, 50);
  });
  afterEach(async () => {
    await log.close();
    store.disconnect();
  });
  afterAll(async () => {
    admin.disconnect();
    await redis.stop();
  });

  const stream = (answerId: string) => connections.keys.answer(session, answerId).stream;
  const fields = async (answerId: string) => (await admin.xrange(stream(answerId), '-', '+')).map(([, values]) => values);
  const appendChunks = (into: AnswerLog, answerId: string, from: number, to: number) => {
    for (let n = from; n <= to; n++) into.append(session, answerId, { message: chunk(answerId, `${n},`) });
  };
  /** Redis keeps only the stream's first `count` entries, as a master that died before its replica had the rest. */
  const keepFirst = async (answerId: string, count: number) => {
    const kept = (await admin.xrange(stream(answerId), '-', '+')).slice(0, count);
    await admin.del(stream(answerId));
    for (const [id, values] of kept) await admin.xadd(stream(answerId), id, ...values);
  };

  it('logs a text chunk as its content and reads it back as the message; reads an older instance’s entries too', async () => {
    const sources = { type: 'sources', answer_id: 'a-1', session_id: 'writes-1', sources: [] };
    log.describe(session, 'a-1', { conversationId: 'c', messageId: 'm', user: 'u' });
    log.append(session, 'a-1', { message: chunk('a-1', 'RAG 是') });
    log.append(session, 'a-1', { message: sources, feature: 'sources' });
    log.append(session, 'a-1', { message: { ...chunk('a-1', ''), final: true, finish_reason: 'complete' } });
    log.end(session, 'a-1');
    await waitUntil(async () => (await admin.xlen(stream('a-1'))) === 5);
    expect((await fields('a-1')).slice(1, 2)).toEqual([['c', 'RAG 是']]);
    expect(await admin.pttl(stream('a-1'))).toBeGreaterThan(0);
    expect(await log.read(session, 'a-1')).toMatchObject({
      state: 'ended',
      upstream: { conversationId: 'c' },
      messages: [
        { message: chunk('a-1', 'RAG 是') },
        { message: sources, feature: 'sources' },
        { message: { type: 'answer', content: '', final: true, finish_reason: 'complete', answer_id: 'a-1', session_id: 'writes-1' } },
      ],
    });
    // An instance of the version before: every message whole, in `m`.
    await admin.xadd(stream('a-old'), '1-0', 'm', JSON.stringify(chunk('a-old', 'old')));
    expect(await log.read(session, 'a-old')).toMatchObject({ state: 'open', messages: [{ message: chunk('a-old', 'old') }] });
  });

  it('writes again the entries Redis lost, before the next ones', async () => {
    appendChunks(log, 'a-2', 1, 10);
    await waitUntil(async () => (await admin.xlen(stream('a-2'))) === 10);
    await keepFirst('a-2', 7);
    appendChunks(log, 'a-2', 11, 12);
    log.end(session, 'a-2');
    await waitUntil(async () => (await admin.xlen(stream('a-2'))) === 13);
    const replay = await log.read(session, 'a-2');
    expect(replay?.state).toBe('ended');
    expect(replay?.messages.map(({ message }) => (message as { content: string }).content).join('')).toBe(
      Array.from({ length: 12 }, (_, i) => `${i + 1},`).join(''),
    );
  });

  it('marks where the entries it can no longer write again begin: readers take the answer as handed over there', async () => {
    appendChunks(log, 'a-3', 1, 100);
    await waitUntil(async () => (await admin.xlen(stream('a-3'))) === 100);
    await keepFirst('a-3', 10);
    appendChunks(log, 'a-3', 101, 101);
    await waitUntil(async () => (await admin.xlen(stream('a-3'))) === 11);
    appendChunks(log, 'a-3', 102, 102);
    log.end(session, 'a-3');
    await log.close();
    expect((await fields('a-3')).slice(9)).toEqual([
      ['c', '10,'],
      ['h', 'hole'],
    ]);
    const replay = await log.read(session, 'a-3');
    expect(replay).toMatchObject({ state: 'handed_over', cursor: '11-0' });
    expect(replay?.messages).toHaveLength(10);
  });

  it('skips what a retried batch finds written (its reply was lost) and refuses a batch after a gap', async () => {
    // The writer's script, as it defined it on its connection.
    const writes = connections.open() as Redis & { appendEntries(...args: Array<string | number>): Promise<number> };
    try {
      new RedisStreamWriter(writes, 300_000, HOLE);
      const key = stream('a-4');
      expect(await writes.appendEntries(key, 100_000, 300_000, 1, 2, 'c', 'a', 2, 'c', 'b')).toBe(2);
      expect(await writes.appendEntries(key, 100_000, 0, 1, 2, 'c', 'a', 2, 'c', 'b', 2, 'c', 'c')).toBe(3);
      expect(await writes.appendEntries(key, 100_000, 0, 5, 2, 'c', 'e')).toBe(3);
      expect(await fields('a-4')).toEqual([
        ['c', 'a'],
        ['c', 'b'],
        ['c', 'c'],
      ]);
    } finally {
      writes.disconnect();
    }
  });
});
