import type Redis from 'ioredis';
import { RedisKeys } from './redis-keys';
import { RedisWriteProbe } from './redis-readiness';

/** A Redis client whose pipeline answers SET and GET as `answer` says, recording the keys. */
function fakeRedis(status: string, answer: (value: string) => Array<[Error | null, unknown]>) {
  const keys: string[] = [];
  let value = '';
  const pipeline = {
    set: (key: string, written: string) => (keys.push(key), (value = written), pipeline),
    get: (key: string) => (keys.push(key), pipeline),
    exec: async () => answer(value),
  };
  return { redis: { status, pipeline: () => pipeline } as unknown as Redis, keys };
}

describe('RedisWriteProbe', () => {
  it('is ready when the value written is read back, on a key of this instance', async () => {
    const { redis, keys } = fakeRedis('ready', (value) => [
      [null, 'OK'],
      [null, value],
    ]);
    expect(await new RedisWriteProbe(redis, new RedisKeys('app'), 'instance-1').whyUnready()).toBeUndefined();
    expect(keys).toEqual(['app:ready:{instance-1}', 'app:ready:{instance-1}']);
  });

  it("names Redis's refusal of the write (a full Redis, a read-only replica)", async () => {
    const oom = new Error("OOM command not allowed when used memory > 'maxmemory'.");
    const { redis } = fakeRedis('ready', () => [
      [oom, null],
      [null, null],
    ]);
    expect(await new RedisWriteProbe(redis, new RedisKeys('app')).whyUnready()).toBe(`Redis refused the readiness write: ${oom.message}`);
  });

  it('is not ready when the read does not return the write', async () => {
    const { redis } = fakeRedis('ready', () => [
      [null, 'OK'],
      [null, 'something else'],
    ]);
    expect(await new RedisWriteProbe(redis, new RedisKeys('app')).whyUnready()).toMatch(/did not return/);
  });

  it('is not ready, without a command, while disconnected', async () => {
    const { redis, keys } = fakeRedis('reconnecting', () => []);
    expect(await new RedisWriteProbe(redis, new RedisKeys('app')).whyUnready()).toBe('Redis is not connected (reconnecting)');
    expect(keys).toEqual([]);
  });
});
