import type { RedisClient } from '../session';
import { RedisStreamWriter } from './redis-stream-writer';

/** A Redis that records the commands it gets, in which batch (turn), and fails them while `down`. */
function fakeRedis() {
  const commands: string[][] = [];
  const state = { down: false, turns: 0 };
  let turnOpen = false;
  const record = (command: string[]) => {
    if (!turnOpen) {
      turnOpen = true;
      state.turns++;
      setImmediate(() => (turnOpen = false));
    }
    commands.push(command);
    return state.down ? Promise.reject(new Error('Connection is closed.')) : Promise.resolve('OK');
  };
  const redis = {
    defineCommand: () => undefined,
    // The script's arguments: cap, expiry, then id, field count, fields, for each entry.
    appendEntries: (stream: string, ...args: Array<string | number>) => record([stream, ...args.slice(1).map(String)]),
  } as unknown as RedisClient;
  return { redis, commands, state };
}

describe('RedisStreamWriter', () => {
  it('sends one turn of every stream together, ids in order, the expiry with the first and last entries only', async () => {
    const { redis, commands, state } = fakeRedis();
    const writer = new RedisStreamWriter(redis, 300_000);
    writer.append('a', ['m', '1']);
    writer.append('b', ['m', 'x']);
    writer.append('a', ['m', '2']);
    writer.append('a', ['e', '1'], true);
    await writer.flushed();
    expect(state.turns).toBe(1);
    // One command per stream, its entries in order, with the expiry (the stream's first and last entries are in it).
    expect(commands).toEqual([
      ['a', '300000', '1-0', '2', 'm', '1', '2-0', '2', 'm', '2', '3-0', '2', 'e', '1'],
      ['b', '300000', '1-0', '2', 'm', 'x'],
    ]);
    writer.append('c', ['m', '1']);
    writer.append('c', ['m', '2']);
    await writer.flushed();
    writer.append('c', ['m', '3']);
    await writer.flushed();
    expect(commands.slice(2)).toEqual([
      ['c', '300000', '1-0', '2', 'm', '1', '2-0', '2', 'm', '2'],
      ['c', '0', '3-0', '2', 'm', '3'],
    ]);
  });

  it('tries a failed batch again before anything written after it', async () => {
    const { redis, commands, state } = fakeRedis();
    const writer = new RedisStreamWriter(redis, 300_000);
    state.down = true;
    writer.append('a', ['m', '1']);
    await new Promise((resolve) => setImmediate(resolve));
    writer.append('a', ['m', '2']);
    state.down = false;
    await writer.flushed();
    expect(commands.map(([, , id]) => id)).toEqual(['1-0', '1-0', '2-0']);
  });
});
