import Redis from 'ioredis';
import { RedisServer, redisServerInstalled } from '../../test/support/redis-server';
import { RedisSessionStore } from './redis-session-store';
import { sessionKey } from './session-store';

// In CI a missing redis-server is a failure, never a silent skip: .ci/run installs it.
const describeWithRedis = redisServerInstalled() || process.env.CI ? describe : describe.skip;

const session = sessionKey('alice', 'default', 'rated');
const TTL_MS = 60_000;

/** The answers' Dify messages a session keeps for feedback, beside its record, on a real Redis. */
describeWithRedis('RedisSessionStore: the messages of a session’s answers', () => {
  let redis: RedisServer;
  let admin: Redis;
  let store: RedisSessionStore;
  beforeAll(async () => {
    redis = await RedisServer.start();
    admin = new Redis(redis.url);
    store = RedisSessionStore.connect({ mode: 'standalone', url: redis.url, nodes: [], keyPrefix: 'rr' }, TTL_MS, 2000);
    await store.onModuleInit();
  });
  beforeEach(() => admin.flushall());
  afterAll(async () => {
    await store.close();
    admin.disconnect();
    await redis.stop();
  });

  const keys = () => store.connections.keys;

  it('finds each answer’s message, in its session only, without touching the record', async () => {
    await store.save(session, { conversationId: 'c-1' });
    const record = await admin.get(keys().session(session));
    await store.keepMessage(session, 'a-1', 'm-1', 50);
    await store.keepMessage(session, 'a-2', 'm-2', 50);
    expect(await store.findMessage(session, 'a-1')).toBe('m-1');
    expect(await store.findMessage(session, 'a-2')).toBe('m-2');
    expect(await store.findMessage(session, 'a-3')).toBeUndefined();
    expect(await store.findMessage(sessionKey('bob', 'default', 'rated'), 'a-1')).toBeUndefined();
    expect(await admin.get(keys().session(session))).toBe(record);
  });

  it('keeps the latest `limit`, in the session’s hash slot, expiring with the record', async () => {
    for (let i = 1; i <= 5; i++) await store.keepMessage(session, `a-${i}`, `m-${i}`, 3);
    expect(await store.findMessage(session, 'a-2')).toBeUndefined();
    expect(await store.findMessage(session, 'a-3')).toBe('m-3');
    expect(await store.findMessage(session, 'a-5')).toBe('m-5');
    const list = keys().messages(session);
    expect(await admin.llen(list)).toBe(3);
    expect(list.startsWith(`${keys().session(session)}:`)).toBe(true);
    expect(await admin.pttl(list)).toBeGreaterThan(TTL_MS - 10_000);
  });

  it('still finds a message a version before this one kept in the record itself', async () => {
    await admin.set(keys().session(session), JSON.stringify({ conversationId: 'c-1', messages: { 'a-old': 'm-old' } }));
    await store.keepMessage(session, 'a-new', 'm-new', 50);
    expect(await store.findMessage(session, 'a-old')).toBe('m-old');
    expect(await store.findMessage(session, 'a-new')).toBe('m-new');
  });

  it('fails as the store unavailable when Redis refuses the write', async () => {
    await admin.set(keys().messages(session), 'not a list');
    await expect(store.keepMessage(session, 'a-1', 'm-1', 50)).rejects.toThrow(/Session store unavailable: WRONGTYPE/);
    await expect(store.findMessage(session, 'a-1')).rejects.toThrow(/Session store unavailable: WRONGTYPE/);
  });
});
