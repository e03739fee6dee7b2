import Redis from 'ioredis';
import { RedisServer, redisServerInstalled } from './support/redis-server';
import { Stack, startStack } from './support/stack';
import { waitUntil } from './support/wait-until';

// In CI a missing redis-server is a failure, never a silent skip: .ci/run installs it.
const describeWithRedis = redisServerInstalled() || process.env.CI ? describe : describe.skip;

/** A Redis that answers PING but refuses writes takes every session down: readiness must see it. */
describeWithRedis('readiness writes to Redis (e2e)', () => {
  let redis: RedisServer;
  let stack: Stack;
  let filler: Redis;
  beforeAll(async () => {
    redis = await RedisServer.start(undefined, undefined, ['--maxmemory', '2mb', '--maxmemory-policy', 'noeviction']);
    stack = await startStack({ env: { REDIS_URL: redis.url } });
    filler = new Redis(redis.url);
  });
  afterAll(async () => {
    filler.disconnect();
    await stack.close();
    await redis.stop();
  });

  const readiness = async () => {
    const response = await fetch(`${stack.httpUrl}/health/ready`);
    return { status: response.status, body: (await response.json()) as { error?: { sessions?: { reason?: string } } } };
  };

  it('answers 503 naming the OOM while a full Redis (noeviction) refuses writes, and 200 once it takes them again', async () => {
    expect((await readiness()).status).toBe(200);

    // Fill Redis until it refuses a write: 64 KiB values, a 2 MB maxmemory.
    const value = 'x'.repeat(64 * 1024);
    let refusal: Error | undefined;
    for (let i = 0; i < 1000 && !refusal; i++) await filler.set(`filler:${i}`, value).catch((error: Error) => (refusal = error));
    expect(refusal?.message).toMatch(/^OOM/);
    expect(await filler.ping()).toBe('PONG');

    const full = await readiness();
    expect(full.status).toBe(503);
    expect(full.body.error?.sessions?.reason).toMatch(/^Redis refused the readiness write: OOM/);

    await filler.flushall();
    await waitUntil(async () => (await readiness()).status === 200);
  });
});
