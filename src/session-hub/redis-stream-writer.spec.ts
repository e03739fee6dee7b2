import type { RedisClient } from '../session';
import { RedisStreamWriter } from './redis-stream-writer';

const HOLE = ['h', 'hole'];

/**
 * A Redis whose append script does what the real one does (skips the entries a stream has, refuses
 * a batch after a gap, answers the stream's last id), recording each call and in which turn it came.
 * `down`: calls fail untouched (`downStreams`: those of these streams); `replyLost`: calls are applied, then fail (the reply never came).
 */
function fakeRedis() {
  const streams = new Map<string, Array<{ id: number; fields: string[] }>>();
  const calls: Array<{ stream: string; expire: number; first: number; entries: string[][]; compactInto?: string }> = [];
  const state = { down: false, replyLost: false, turns: 0, downStreams: new Set<string>() };
  let turnOpen = false;
  const appendEntries = (
    stream: string,
    compactTo: string,
    _cap: number,
    expire: number,
    first: number,
    ...args: Array<string | number>
  ) => {
    const compactInto = compactTo === stream ? undefined : compactTo;
    if (!turnOpen) {
      turnOpen = true;
      state.turns++;
      setImmediate(() => (turnOpen = false));
    }
    const entries: string[][] = [];
    for (let at = 0; at < args.length; at += 1 + Number(args[at])) entries.push(args.slice(at + 1, at + 1 + Number(args[at])).map(String));
    calls.push({ stream, expire, first, entries, ...(compactInto ? { compactInto } : {}) });
    if (state.down || state.downStreams.has(stream)) return Promise.reject(new Error('Connection is closed.'));
    const log = streams.get(stream) ?? [];
    streams.set(stream, log);
    const last = log.at(-1)?.id ?? 0;
    if (first > last + 1) return Promise.resolve(last);
    entries.forEach((fields, i) => first + i > last && log.push({ id: first + i, fields }));
    return state.replyLost ? Promise.reject(new Error('Command timed out')) : Promise.resolve(log.at(-1)!.id);
  };
  const redis = { defineCommand: () => undefined, appendEntries } as unknown as RedisClient;
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
    const writer = new RedisStreamWriter(redis, 300_000, HOLE);
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
