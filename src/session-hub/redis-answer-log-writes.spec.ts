import Redis from 'ioredis';
import { lastValueFrom, toArray } from 'rxjs';
import { RedisConnections, sessionKey } from '../session';
import { AnswerLog } from './answer-log';
import { HOLE } from './answer-log-entries';
import { RedisAnswerLog } from './redis-answer-log';
import { ENDED_STREAM_GRACE_MS, RedisStreamWriter } from './redis-stream-writer';
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
    log = new RedisAnswerLog(store, connections, 300_000, 5000, 50, 0);
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
  const ended = (answerId: string) => connections.keys.answer(session, answerId).ended;
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
    // An instance of the version before: every message whole, in `m`, ids Redis's own, never compacted.
    await admin.xadd(stream('a-old'), '*', 'm', JSON.stringify(chunk('a-old', 'old')));
    expect(await log.read(session, 'a-old')).toMatchObject({ state: 'open', messages: [{ message: chunk('a-old', 'old') }] });
    const endId = await admin.xadd(stream('a-old'), '*', 'e', '1');
    expect(await log.read(session, 'a-old')).toEqual({ state: 'ended', cursor: endId, messages: [{ message: chunk('a-old', 'old') }] });
  });

  it('compacts an ended answer into one string that reads as its stream did; the stream expires after a grace', async () => {
    const sources = { type: 'sources', answer_id: 'a-5', session_id: 'writes-1', sources: [] };
    log.describe(session, 'a-5', { conversationId: 'c', messageId: 'm', user: 'u' });
    appendChunks(log, 'a-5', 1, 2);
    log.append(session, 'a-5', { message: { ...chunk('a-5', 'RAG 是 "/\\"'), replace: true } });
    log.append(session, 'a-5', { message: sources, feature: 'sources' });
    log.append(session, 'a-5', { message: { ...chunk('a-5', ''), final: true, finish_reason: 'complete' } });
    log.end(session, 'a-5');
    await waitUntil(async () => (await admin.exists(ended('a-5'))) === 1);
    // The first entry's number, then each entry: a text chunk as its text alone.
    expect(JSON.parse((await admin.get(ended('a-5')))!)).toEqual([
      1,
      ['d', JSON.stringify({ conversationId: 'c', messageId: 'm', user: 'u' })],
      '1,',
      '2,',
      ['c', 'RAG 是 "/\\"', 'r', '1'],
      ['m', JSON.stringify(sources), 'f', 'sources'],
      ['c', '', 'z', 'complete'],
      ['e', '1'],
    ]);
    expect(await admin.pttl(ended('a-5'))).toBeGreaterThan(ENDED_STREAM_GRACE_MS);
    const streamTtl = await admin.pttl(stream('a-5'));
    expect(streamTtl).toBeGreaterThan(0);
    expect(streamTtl).toBeLessThanOrEqual(ENDED_STREAM_GRACE_MS);
    const compacted = await log.read(session, 'a-5');
    expect(compacted).toMatchObject({ state: 'ended', cursor: '7-0', upstream: { conversationId: 'c' } });
    expect(compacted?.messages).toHaveLength(5);
    // The same replay from the stream (in its grace), and from the compacted string alone once the stream is gone.
    const compact = (await admin.get(ended('a-5')))!;
    await admin.del(ended('a-5'));
    expect(await log.read(session, 'a-5')).toEqual(compacted);
    await admin.set(ended('a-5'), compact);
    await admin.del(stream('a-5'));
    expect(await log.read(session, 'a-5')).toEqual(compacted);
  });

  it('compacts a handed-over answer too, read as handed over', async () => {
    appendChunks(log, 'a-6', 1, 3);
    log.handOver(session, 'a-6');
    await waitUntil(async () => (await admin.exists(ended('a-6'))) === 1);
    await admin.del(stream('a-6'));
    const replay = await log.read(session, 'a-6');
    expect(replay).toMatchObject({ state: 'handed_over', cursor: '4-0' });
    expect(replay?.messages.map(({ message }) => (message as { content: string }).content)).toEqual(['1,', '2,', '3,']);
  });

  it('still gives the end mark to the followers reading the stream as it ends, and to one that read it just before', async () => {
    appendChunks(log, 'a-7', 1, 2);
    await waitUntil(async () => (await admin.xlen(stream('a-7'))) === 2);
    const fromStart = lastValueFrom(log.follow(session, 'a-7', '0', 10_000).pipe(toArray()));
    const before = await log.read(session, 'a-7');
    expect(before).toMatchObject({ state: 'open', cursor: '2-0' });
    appendChunks(log, 'a-7', 3, 3);
    log.end(session, 'a-7');
    await waitUntil(async () => (await admin.exists(ended('a-7'))) === 1);
    // Each completes on the end mark; a follower that got no end mark would fail with OwnerGoneError.
    const content = (entries: unknown[]) => entries.map((entry) => (entry as { message: { content: string } }).message.content);
    expect(content(await fromStart)).toEqual(['1,', '2,', '3,']);
    expect(content(await lastValueFrom(log.follow(session, 'a-7', before!.cursor, 10_000).pipe(toArray())))).toEqual(['3,']);
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
    // The hole's stream stays a stream.
    expect(await admin.exists(ended('a-3'))).toBe(0);
  });

  it('skips what a retried batch finds written (its reply was lost) and refuses a batch after a gap', async () => {
    // The writer's script, as it defined it on its connection.
    const writes = connections.open() as Redis & { appendEntries(...args: Array<string | number>): Promise<number> };
    try {
      new RedisStreamWriter(writes, 300_000, HOLE);
      const key = stream('a-4');
      expect(await writes.appendEntries(key, key, 100_000, 300_000, 1, 2, 'c', 'a', 2, 'c', 'b')).toBe(2);
      expect(await writes.appendEntries(key, key, 100_000, 0, 1, 2, 'c', 'a', 2, 'c', 'b', 2, 'c', 'c')).toBe(3);
      expect(await writes.appendEntries(key, key, 100_000, 0, 5, 2, 'c', 'e')).toBe(3);
      expect(await fields('a-4')).toEqual([
        ['c', 'a'],
        ['c', 'b'],
        ['c', 'c'],
      ]);
    } finally {
      writes.disconnect();
    }
  });

  it('writes several streams in one call on one node, each as alone: skipped, refused after a gap, compacted at its end', async () => {
    const writes = connections.open() as Redis & { appendMany(...args: Array<string | number>): Promise<number[]> };
    try {
      new RedisStreamWriter(writes, 300_000, HOLE);
      const [a, b, c] = ['m-a', 'm-b', 'm-c'].map(stream);
      await admin.xadd(b, '1-0', 'c', 'x');
      const tops = await writes.appendMany(
        6,
        a,
        a,
        b,
        b,
        c,
        ended('m-c'),
        ...[6, 100_000, 300_000, 1, 2, 'c', 'a', 2, 'c', 'b'],
        ...[3, 100_000, 0, 3, 2, 'c', 'z'],
        ...[6, 100_000, 300_000, 1, 2, 'c', 'q', 2, 'e', '1'],
      );
      expect(tops).toEqual([2, 1, 2]);
      expect(await fields('m-a')).toEqual([
        ['c', 'a'],
        ['c', 'b'],
      ]);
      expect(await fields('m-b')).toEqual([['c', 'x']]);
      expect(await admin.get(ended('m-c'))).toBe(JSON.stringify([1, 'q', ['e', '1']]));
      expect(await admin.pttl(a)).toBeGreaterThan(250_000);
    } finally {
      writes.disconnect();
    }
  });
});
