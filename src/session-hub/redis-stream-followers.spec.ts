import { Subscription } from 'rxjs';
import { RedisStreamFollowers } from './redis-stream-followers';
import { ReadOutcome, StreamEntry, StreamReader } from './redis-stream-readers';

/** A reader the test answers: each read waits until the test settles it; `wake` is counted. */
class FakeReader implements StreamReader {
  readonly reads: { positions: Map<string, string>; settle: (outcome: ReadOutcome | Error) => void }[] = [];
  wakes = 0;
  closed = false;

  read(positions: Map<string, string>): Promise<ReadOutcome> {
    return new Promise((resolve, reject) => {
      this.reads.push({ positions, settle: (outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome)) });
    });
  }

  wake(): void {
    this.wakes++;
  }

  close(): void {
    this.closed = true;
  }

  /** The read under way: the one the followers wait on now. */
  async pending(count: number) {
    while (this.reads.length < count) await new Promise((resolve) => setImmediate(resolve));
    return this.reads[count - 1];
  }
}

const entry = (n: number, text: string): StreamEntry => [`${n}-0`, ['m', text]];

describe('RedisStreamFollowers', () => {
  let reader: FakeReader;
  let followers: RedisStreamFollowers;
  const subscriptions: Subscription[] = [];
  beforeEach(() => {
    reader = new FakeReader();
    followers = new RedisStreamFollowers(reader);
  });
  afterEach(() => {
    subscriptions.forEach((s) => s.unsubscribe());
    subscriptions.length = 0;
    followers.close();
  });

  function follow(key: string, cursor: string) {
    const got: string[] = [];
    const follower = { got, error: undefined as unknown };
    subscriptions.push(
      followers.follow(key, cursor).subscribe({ next: (fields) => got.push(fields[1]), error: (e: unknown) => (follower.error = e) }),
    );
    return follower;
  }

  it('reads every followed stream in one read, from the follower furthest behind, and gives each follower what is after its own cursor', async () => {
    const early = follow('a', '0');
    const late = follow('a', '2-0');
    const other = follow('b', '5-0');
    // The first read began with stream a alone; b's follower woke it.
    const first = await reader.pending(1);
    expect(reader.wakes).toBe(2);
    first.settle(new Map());
    const second = await reader.pending(2);
    expect([...second.positions]).toEqual([
      ['a', '0'],
      ['b', '5-0'],
    ]);
    second.settle(
      new Map([
        ['a', [entry(1, 'one'), entry(2, 'two'), entry(3, 'three')]],
        ['b', [entry(6, 'six')]],
      ]),
    );
    const third = await reader.pending(3);
    expect(early.got).toEqual(['one', 'two', 'three']);
    expect(late.got).toEqual(['three']);
    expect(other.got).toEqual(['six']);
    expect([...third.positions]).toEqual([
      ['a', '3-0'],
      ['b', '6-0'],
    ]);
  });

  it('reads again from the last entry delivered after a failed read, losing nothing and repeating nothing', async () => {
    const follower = follow('a', '0');
    (await reader.pending(1)).settle(new Map([['a', [entry(1, 'one')]]]));
    (await reader.pending(2)).settle(new Error('Connection is closed.'));
    const retried = await reader.pending(3);
    expect(retried.positions.get('a')).toBe('1-0');
    retried.settle(new Map([['a', [entry(1, 'one'), entry(2, 'two')]]]));
    await reader.pending(4);
    expect(follower.got).toEqual(['one', 'two']);
    expect(follower.error).toBeUndefined();
  });

  it('fails only the followers of a stream whose own read fails; the others go on', async () => {
    const bad = follow('bad', '0');
    const good = follow('good', '0');
    const fault = new Error('WRONGTYPE Operation against a key holding the wrong kind of value');
    (await reader.pending(1)).settle(new Map<string, StreamEntry[] | Error>([['bad', fault]]));
    const next = await reader.pending(2);
    expect(bad.error).toBe(fault);
    expect([...next.positions.keys()]).toEqual(['good']);
    next.settle(new Map([['good', [entry(1, 'one')]]]));
    await reader.pending(3);
    expect(good.got).toEqual(['one']);
  });

  it('stops reading when nobody follows, and starts again for the next follower', async () => {
    follow('a', '0');
    subscriptions.pop()!.unsubscribe();
    (await reader.pending(1)).settle(new Map([['a', [entry(1, 'one')]]]));
    const later = follow('c', '4-0');
    const read = await reader.pending(2);
    expect([...read.positions]).toEqual([['c', '4-0']]);
    expect(later.got).toEqual([]);
  });

  it('refuses a cursor that is not a stream entry id, without reading', () => {
    const follower = follow('a', '$');
    expect(follower.error).toEqual(new Error('Not a stream entry id: $'));
    expect(reader.reads).toEqual([]);
  });
});
