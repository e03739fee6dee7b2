import Redis from 'ioredis';
import { RedisConnections, sessionKey } from '../session';
import { LEASE_TTL_MS, RedisSessionLease } from './redis-session-lease';
import { RedisServer, redisServerInstalled } from '../../test/support/redis-server';

// In CI a missing redis-server is a failure, never a silent skip: .ci/run installs it.
const describeWithRedis = redisServerInstalled() || process.env.CI ? describe : describe.skip;

const session = sessionKey('alice', 'default', 'lease-1');

/** Two instances' leases of one session on a real Redis: who may call upstream, and how one asks the other to stop. */
describeWithRedis('session leases on a real Redis', () => {
  let redis: RedisServer;
  let admin: Redis;
  let connections: RedisConnections;
  let stores: Redis[];
  let a: RedisSessionLease;
  let b: RedisSessionLease;
  beforeAll(async () => {
    redis = await RedisServer.start();
    admin = new Redis(redis.url);
    connections = new RedisConnections({ mode: 'standalone', url: redis.url, nodes: [], keyPrefix: 'leases' } as never);
  });
  beforeEach(async () => {
    await admin.flushall();
    stores = [connections.open() as Redis, connections.open() as Redis];
    [a, b] = stores.map((store) => new RedisSessionLease(store, connections.keys));
  });
  afterEach(() => stores.forEach((store) => store.disconnect()));
  afterAll(async () => {
    admin.disconnect();
    await redis.stop();
  });

  const keys = () => connections.keys.lease(session);

  it('is taken by one instance at a time, with a TTL, and by the next once released', async () => {
    const held = await a.tryAcquire(session, false);
    expect(held).toBeDefined();
    expect(await admin.get(keys().lease)).toBe(held!.value);
    const ttl = await admin.pttl(keys().lease);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(LEASE_TTL_MS);
    expect(await b.tryAcquire(session, false)).toBeUndefined();
    expect(await a.tryAcquire(session, false)).toBeUndefined(); // not even by the holder a second time
    await a.release(held!);
    expect(await b.tryAcquire(session, false)).toBeDefined();
  });

  it('gives each taking a value of its own: a stale holder can neither renew nor release a newer one', async () => {
    const first = (await a.tryAcquire(session, false))!;
    await admin.del(keys().lease); // expired while its holder paused
    const second = (await a.tryAcquire(session, false))!;
    expect(second.value).not.toBe(first.value);
    expect(await a.renew(first)).toBe('lost');
    await a.release(first);
    expect(await admin.get(keys().lease)).toBe(second.value);
    expect(await a.renew(second)).toBe('held');
  });

  it('asks the holder to stop when an interrupting question finds the session taken, and only then', async () => {
    const held = (await a.tryAcquire(session, false))!;
    expect(await b.tryAcquire(session, false)).toBeUndefined(); // a queued question waits without asking
    expect(await a.renew(held)).toBe('held');
    expect(await b.tryAcquire(session, true)).toBeUndefined();
    expect(await a.renew(held)).toBe('stop-requested');
    await a.release(held); // the stop request goes with it
    expect(await admin.exists(keys().stop)).toBe(0);
    const next = (await b.tryAcquire(session, true))!;
    expect(next).toBeDefined();
    expect(await b.renew(next)).toBe('held');
  });

  it('writes no key beyond the lease itself to take it', async () => {
    await a.tryAcquire(session, true);
    expect(await admin.keys('*')).toEqual([keys().lease]);
  });
});
