import Redis from 'ioredis';
import { freePort } from './support/net';
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

    // Redis frees the refused command's buffer, which can bring it just under maxmemory again; so that
    // it stays full while the test looks, maxmemory goes a little under what it now uses.
    const used = Number(/used_memory:(\d+)/.exec(await filler.info('memory'))![1]);
    await filler.config('SET', 'maxmemory', String(used - 256 * 1024));
    const full = await readiness();
    expect(full.status).toBe(503);
    expect(full.body.error?.sessions?.reason).toMatch(/^Redis refused the readiness write: OOM/);

    await filler.flushall();
    await waitUntil(async () => (await readiness()).status === 200);
  });

  it('answers 503 naming READONLY while Redis is a read-only replica, and 200 once it is a primary again', async () => {
    expect((await readiness()).status).toBe(200);
    // A replica of a primary that is not there: it serves reads and refuses every write.
    await filler.replicaof('127.0.0.1', await freePort());
    const replica = await readiness();
    expect(replica.status).toBe(503);
    expect(replica.body.error?.sessions?.reason).toMatch(/^Redis refused the readiness write: READONLY/);
    await filler.replicaof('NO', 'ONE');
    await waitUntil(async () => (await readiness()).status === 200);
  });
});
