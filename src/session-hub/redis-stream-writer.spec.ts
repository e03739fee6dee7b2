import type { RedisClient } from '../session';
import { RedisStreamWriter } from './redis-stream-writer';

const HOLE = ['h', 'hole'];

/**
 * A Redis whose append scripts do what the real ones do (skip the entries a stream has, refuse a
 * batch after a gap, answer the stream's last id; the many-stream script each stream's in turn),
 * recording each stream's batch and in which turn it came, and how many calls carried several.
 * `down`: calls fail untouched (`downStreams`: those of these streams, and a many-stream call fails
 * at the first of them, the streams before it written); `replyLost`: calls are applied, then fail
 * (the reply never came).
 */
function fakeRedis() {
  const streams = new Map<string, Array<{ id: number; fields: string[] }>>();
  const calls: Array<{ stream: string; expire: number; first: number; entries: string[][]; compactInto?: string }> = [];
  const state = { down: false, replyLost: false, turns: 0, downStreams: new Set<string>(), manyCalls: 0 };
  let turnOpen = false;
  /** One stream's batch: the stream's last id, or throws as Redis would fail it. */
  const apply = (stream: string, compactTo: string, expire: number, first: number, args: Array<string | number>): number => {
    const compactInto = compactTo === stream ? undefined : compactTo;
    if (!turnOpen) {
      turnOpen = true;
      state.turns++;
      setImmediate(() => (turnOpen = false));
    }
    const entries: string[][] = [];
    for (let at = 0; at < args.length; at += 1 + Number(args[at])) entries.push(args.slice(at + 1, at + 1 + Number(args[at])).map(String));
    calls.push({ stream, expire, first, entries, ...(compactInto ? { compactInto } : {}) });
    if (state.down || state.downStreams.has(stream)) throw new Error('Connection is closed.');
    const log = streams.get(stream) ?? [];
    streams.set(stream, log);
    const last = log.at(-1)?.id ?? 0;
    if (first > last + 1) return last;
    entries.forEach((fields, i) => first + i > last && log.push({ id: first + i, fields }));
    return log.at(-1)!.id;
  };
  /** A command's reply: what it did, or its failure; either way a failure if the reply was lost. */
  const replied = async <T>(reply: () => T): Promise<T> => {
    const value = reply();
    if (state.replyLost) throw new Error('Command timed out');
    return value;
  };
  const appendEntries = (stream: string, compactTo: string, _cap: number, expire: number, first: number, ...args: Array<string | number>) =>
    replied(() => apply(stream, compactTo, expire, first, args));
  const appendMany = (keyCount: number, ...keysThenArgs: Array<string | number>) =>
    replied(() => {
      state.manyCalls++;
      const [keys, args] = [keysThenArgs.slice(0, keyCount).map(String), keysThenArgs.slice(keyCount)];
      const tops: number[] = [];
      for (let k = 0, at = 0; k < keys.length; k += 2, at += 4 + Number(args[at])) {
        const entries = args.slice(at + 4, at + 4 + Number(args[at]));
        tops.push(apply(keys[k], keys[k + 1], Number(args[at + 2]), Number(args[at + 3]), entries));
      }
      return tops;
    });
  const redis = { defineCommand: () => undefined, appendEntries, appendMany } as unknown as RedisClient;
  const fields = (stream: string) => (streams.get(stream) ?? []).map((entry) => entry.fields);
  /** Redis loses the stream's last `count` entries (a failover that did not carry them). */
  const lose = (stream: string, count: number) => streams.get(stream)!.splice(-count);
  return { redis, calls, state, fields, lose };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('RedisStreamWriter', () => {
  it('sends one turn of every stream together, in order, the expiry with the first and last entries only, the last batch to be compacted', async () => {
    const { redis, calls, state, fields } = fakeRedis();
    const writer = new RedisStreamWriter(redis, 300_000, HOLE);
    writer.append('a', ['c', '1']);
    writer.append('b', ['c', 'x']);
    writer.append('a', ['c', '2']);
    writer.append('a', ['e', '1'], 'a:ended');
    await writer.flushed();
    expect(state.turns).toBe(1);
    expect(calls).toEqual([
      {
        stream: 'a',
        expire: 300_000,
        first: 1,
        entries: [
          ['c', '1'],
          ['c', '2'],
          ['e', '1'],
        ],
        compactInto: 'a:ended',
      },
      { stream: 'b', expire: 300_000, first: 1, entries: [['c', 'x']] },
    ]);
    writer.append('c', ['c', '1']);
    writer.append('c', ['c', '2']);
    await writer.flushed();
    writer.append('c', ['c', '3']);
    await writer.flushed();
    expect(calls.slice(2).map(({ expire, first }) => ({ expire, first }))).toEqual([
      { expire: 300_000, first: 1 },
      { expire: 0, first: 3 },
    ]);
    expect(fields('c')).toEqual([
      ['c', '1'],
      ['c', '2'],
      ['c', '3'],
    ]);
  });

  it('tries a failed batch again before anything written after it', async () => {
    const { redis, calls, state, fields } = fakeRedis();
    const writer = new RedisStreamWriter(redis, 300_000, HOLE);
    state.down = true;
    writer.append('a', ['c', '1']);
    await turn();
    writer.append('a', ['c', '2']);
    state.down = false;
    await writer.flushed();
    expect(calls.map(({ first }) => first)).toEqual([1, 1, 2]);
    expect(fields('a')).toEqual([
      ['c', '1'],
      ['c', '2'],
    ]);
  });

  it('writes an entry once when Redis took it but its reply was lost', async () => {
    const { redis, state, fields } = fakeRedis();
    const writer = new RedisStreamWriter(redis, 300_000, HOLE);
    state.replyLost = true;
    writer.append('a', ['c', '1']);
    await turn();
    state.replyLost = false;
    writer.append('a', ['c', '2']);
    await writer.flushed();
    expect(fields('a')).toEqual([
      ['c', '1'],
      ['c', '2'],
    ]);
  });

  it('writes again the entries Redis lost, before the next ones', async () => {
    const { redis, calls, fields, lose } = fakeRedis();
    const writer = new RedisStreamWriter(redis, 300_000, HOLE);
    for (const n of ['1', '2', '3']) writer.append('a', ['c', n]);
    await writer.flushed();
    lose('a', 2);
    writer.append('a', ['c', '4']);
    writer.append('a', ['e', '1'], 'a:ended');
    await writer.flushed();
    expect(fields('a')).toEqual([
      ['c', '1'],
      ['c', '2'],
      ['c', '3'],
      ['c', '4'],
      ['e', '1'],
    ]);
    // Refused at 4 (the stream ended at 1), then 2 to the end, compacted once written.
    expect(calls.slice(1).map(({ first, compactInto }) => ({ first, compactInto }))).toEqual([
      { first: 4, compactInto: 'a:ended' },
      { first: 2, compactInto: 'a:ended' },
    ]);
  });

  it('marks a hole it can no longer fill, where it begins, and writes nothing more to that stream (nor compacts it)', async () => {
    const { redis, calls, fields, lose } = fakeRedis();
    const writer = new RedisStreamWriter(redis, 300_000, HOLE);
    for (let n = 1; n <= 100; n++) writer.append('a', ['c', `${n}`]);
    await writer.flushed();
    lose('a', 90);
    writer.append('a', ['c', '101']);
    await writer.flushed();
    writer.append('a', ['c', '102']);
    writer.append('a', ['e', '1'], 'a:ended');
    await writer.flushed();
    expect(fields('a').slice(9)).toEqual([['c', '10'], HOLE]);
    expect(calls.some(({ compactInto }) => compactInto)).toBe(false);
  });

  it("holds back only the failing stream's entries: the others are written meanwhile, then it catches up", async () => {
    const { redis, calls, state, fields } = fakeRedis();
    const writer = new RedisStreamWriter(redis, 300_000, HOLE, 0, false); // a Cluster's: a call per stream
    state.downStreams.add('a'); // its Cluster shard failing over, say
    writer.append('a', ['c', '1']);
    writer.append('b', ['c', '1']);
    await turn();
    await turn();
    writer.append('b', ['c', '2']);
    writer.append('a', ['c', '2']);
    // b's second batch goes while a's first is still being tried again.
    while (fields('b').length < 2) await turn();
    expect(fields('a')).toEqual([]);
    expect(calls.filter(({ stream }) => stream === 'a').map(({ first }) => first)).toEqual([1]);
    state.downStreams.clear();
    await writer.flushed();
    expect(fields('a')).toEqual([
      ['c', '1'],
      ['c', '2'],
    ]);
    expect(calls.filter(({ stream }) => stream === 'a').map(({ first }) => first)).toEqual([1, 1, 2]);
  });

  it('on one node, sends every stream’s batch in one call; a Cluster’s one call per stream', async () => {
    const one = fakeRedis();
    const writer = new RedisStreamWriter(one.redis, 300_000, HOLE);
    for (const stream of ['a', 'b', 'c']) writer.append(stream, ['c', stream]);
    await writer.flushed();
    expect(one.state.manyCalls).toBe(1);
    expect(one.calls.map(({ stream, first }) => `${stream}${first}`)).toEqual(['a1', 'b1', 'c1']);
    expect(['a', 'b', 'c'].map(one.fields)).toEqual([[['c', 'a']], [['c', 'b']], [['c', 'c']]]);
    const cluster = fakeRedis();
    const perStream = new RedisStreamWriter(cluster.redis, 300_000, HOLE, 0, false);
    for (const stream of ['a', 'b']) perStream.append(stream, ['c', stream]);
    await perStream.flushed();
    expect(cluster.state.manyCalls).toBe(0);
    expect(cluster.calls).toHaveLength(2);
  });

  it('splits a send of many entries into calls of at most a thousand, each stream whole', async () => {
    const { redis, state, fields } = fakeRedis();
    const writer = new RedisStreamWriter(redis, 300_000, HOLE);
    for (const stream of ['a', 'b', 'c']) for (let n = 1; n <= 400; n++) writer.append(stream, ['c', `${n}`]);
    writer.append('d', ['c', '1']);
    await writer.flushed();
    expect(state.manyCalls).toBe(2); // a and b; then c and d
    expect(['a', 'b', 'c', 'd'].map((stream) => fields(stream).length)).toEqual([400, 400, 400, 1]);
  });

  it('tries each stream of a failed many-stream call again alone, the ones Redis wrote not twice', async () => {
    const { redis, calls, state, fields } = fakeRedis();
    const writer = new RedisStreamWriter(redis, 300_000, HOLE);
    state.downStreams.add('b'); // the script fails at b, a written before it
    for (const stream of ['a', 'b', 'c']) writer.append(stream, ['c', '1']);
    await turn();
    state.downStreams.clear();
    await writer.flushed();
    expect(state.manyCalls).toBe(1);
    expect(['a', 'b', 'c'].map(fields)).toEqual([[['c', '1']], [['c', '1']], [['c', '1']]]);
    // Each again alone: a's entry skipped as already there, b's and c's written.
    expect(calls.slice(2).map(({ stream }) => stream)).toEqual(['a', 'b', 'c']);
  });

  it('with a window, sends the entries of every turn within it together, and at once when flushed', async () => {
    const { redis, calls, fields } = fakeRedis();
    const writer = new RedisStreamWriter(redis, 300_000, HOLE, 60_000);
    writer.append('a', ['c', '1']);
    await turn();
    writer.append('b', ['c', 'x']);
    writer.append('a', ['c', '2']);
    await turn();
    expect(calls).toEqual([]);
    // A minute's window: this resolves only if flushing sends without waiting for it.
    await writer.flushed();
    expect(calls.map(({ stream, first, entries }) => ({ stream, first, entries }))).toEqual([
      {
        stream: 'a',
        first: 1,
        entries: [
          ['c', '1'],
          ['c', '2'],
        ],
      },
      { stream: 'b', first: 1, entries: [['c', 'x']] },
    ]);
    writer.append('a', ['c', '3']);
    await writer.flushed();
    expect(fields('a')).toEqual([
      ['c', '1'],
      ['c', '2'],
      ['c', '3'],
    ]);
  });

  it('with a window, sends by itself once the window has passed', async () => {
    const { redis, calls, state } = fakeRedis();
    const writer = new RedisStreamWriter(redis, 300_000, HOLE, 5);
    writer.append('a', ['c', '1']);
    writer.append('a', ['c', '2']);
    while (calls.length === 0) await turn();
    expect(calls.map(({ stream, entries }) => `${stream}: ${entries.join(' ')}`)).toEqual(['a: c,1 c,2']);
    expect(state.turns).toBe(1);
  });
});
