import { Subscription } from 'rxjs';
import { RedisConnectionConfig } from '../config';
import { RedisConnections } from '../session';
import { RedisCluster, redisCli } from '../../test/support/redis-cluster';
import { RedisSentinels, SENTINEL_MASTER } from '../../test/support/redis-sentinel';
import { RedisServer, redisServerInstalled } from '../../test/support/redis-server';
import { waitUntil } from '../../test/support/wait-until';
import { RedisStreamFollowers } from './redis-stream-followers';
import { streamReader } from './redis-stream-readers';

// On real Redis servers of the test's own (test/redis-followers.e2e-spec.ts follows answers through the service).
// In CI a missing redis-server is a failure, never a silent skip: .ci/run installs it.
const describeWithRedis = redisServerInstalled() || process.env.CI ? describe : describe.skip;

/** Whether the Redis server at `port` holds a client blocked in XREAD now (the followers' shared read). */
async function blockedRead(port: number): Promise<boolean> {
  return (await redisCli(port, 'client', 'list').catch(() => '')).split('\n').some((line) => /flags=b .*cmd=xread /.test(line));
}

/** How many CLIENT UNBLOCK the Redis server at `port` has been sent. */
async function unblocks(port: number): Promise<number> {
  return Number(/cmdstat_client\|unblock:calls=(\d+)/.exec(await redisCli(port, 'info', 'commandstats'))?.[1] ?? 0);
}

/** Calls of `command` the Redis servers at `ports` have run (commandstats, summed). */
async function calls(ports: number[], command: string): Promise<number> {
  const infos = await Promise.all(ports.map((port) => redisCli(port, 'info', 'commandstats')));
  return infos.reduce((sum, info) => sum + Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0), 0);
}

/** Followers on `config`'s Redis, without the service: what each gets, on the command connection `commands`. */
function directFollowers(config: RedisConnectionConfig) {
  const connections = new RedisConnections(config);
  const commands = connections.open({ enableOfflineQueue: true });
  const followers = new RedisStreamFollowers(streamReader(commands, connections, 50));
  const subscriptions: Subscription[] = [];
  const follow = (key: string) => {
    const follower = { got: [] as string[][], error: undefined as Error | undefined };
    subscriptions.push(
      followers.follow(key, '0').subscribe({ next: (fields) => follower.got.push(fields), error: (e: Error) => (follower.error = e) }),
    );
    return follower;
  };
  const close = () => {
    subscriptions.forEach((subscription) => subscription.unsubscribe());
    followers.close();
    commands.disconnect();
  };
  return { commands, follow, close };
}

describeWithRedis("the followers' shared read, on real Redis", () => {
  it('is woken (CLIENT UNBLOCK) for a follower that joins, and fails only the followers of a key that is no stream', async () => {
    const redis = await RedisServer.start();
    const direct = directFollowers({ mode: 'standalone', url: redis.url, nodes: [], keyPrefix: 'direct' });
    try {
      const good = direct.follow('direct:good');
      await waitUntil(() => blockedRead(redis.port));
      await direct.commands.set('direct:bad', 'not a stream');
      const bad = direct.follow('direct:bad');
      // The read blocked on the good stream alone was woken to read the bad one too: WRONGTYPE, for its follower only.
      await waitUntil(() => bad.error !== undefined);
      expect(bad.error!.message).toMatch(/^WRONGTYPE/);
      expect(await unblocks(redis.port)).toBeGreaterThan(0);
      await direct.commands.xadd('direct:good', '1-0', 'm', 'one');
      await waitUntil(() => good.got.length > 0);
      expect(good).toEqual({ got: [['m', 'one']], error: undefined });
    } finally {
      direct.close();
      await redis.stop();
    }
  });

  it('moves to the new master after a Sentinel failover, and goes on from the last entry it delivered', async () => {
    const sentinels = await RedisSentinels.start();
    const nodes = sentinels.addresses.split(',').map((address) => ({ host: '127.0.0.1', port: Number(address.split(':')[1]) }));
    const direct = directFollowers({ mode: 'sentinel', nodes, sentinelName: SENTINEL_MASTER, keyPrefix: 'direct' });
    try {
      const follower = direct.follow('direct:failover');
      await direct.commands.xadd('direct:failover', '1-0', 'm', 'before');
      await waitUntil(() => follower.got.length === 1);
      const promoted = await sentinels.failover();
      await waitUntil(() => blockedRead(promoted), 30_000);
      const writer = new RedisConnections({
        mode: 'standalone',
        url: `redis://127.0.0.1:${promoted}`,
        nodes: [],
        keyPrefix: 'direct',
      }).open();
      await writer.xadd('direct:failover', '2-0', 'm', 'after');
      writer.disconnect();
      await waitUntil(() => follower.got.length === 2);
      expect(follower).toEqual({
        got: [
          ['m', 'before'],
          ['m', 'after'],
        ],
        error: undefined,
      });
    } finally {
      direct.close();
      await sentinels.stop();
    }
  }, 90_000);

  it("on a Cluster, reads each master's followed streams in one script, and fails only the followers of a key that is no stream", async () => {
    const cluster = await RedisCluster.start(3);
    const masters = await cluster.masters();
    const direct = directFollowers({ mode: 'cluster', nodes: masters.map((port) => ({ host: '127.0.0.1', port })), keyPrefix: 'direct' });
    try {
      // Thirty sessions' streams: their hash tags spread them over the three masters.
      const keys = Array.from({ length: 30 }, (_, i) => `direct:answer:{session-${i}}:a`);
      await direct.commands.set('direct:answer:{bad}:a', 'not a stream');
      const followers = keys.map((key) => direct.follow(key));
      const bad = direct.follow('direct:answer:{bad}:a');
      for (const [i, key] of keys.entries()) await direct.commands.xadd(key, '1-0', 'c', `chunk ${i}`);
      await waitUntil(() => followers.every((follower) => follower.got.length === 1) && bad.error !== undefined);
      expect(followers.map((follower) => follower.got)).toEqual(keys.map((_, i) => [['c', `chunk ${i}`]]));
      expect(bad.error!.message).toMatch(/^WRONGTYPE/);
      // Polled every 50 ms, once the client knows the slots: one script a master a round, not one XREAD a stream.
      await Promise.all(masters.map((port) => redisCli(port, 'config', 'resetstat')));
      await waitUntil(async () => (await calls(masters, 'eval')) >= 3 * masters.length);
      expect(await calls(masters, 'xread')).toBe(0);
    } finally {
      direct.close();
      await cluster.stop();
    }
  }, 60_000);

  it("on a Cluster, follows a stream whose master failed over (the master's script refused, its streams read alone, the slots looked up)", async () => {
    const cluster = await RedisCluster.start(3, 1);
    const masters = await cluster.masters();
    const direct = directFollowers({ mode: 'cluster', nodes: masters.map((port) => ({ host: '127.0.0.1', port })), keyPrefix: 'direct' });
    try {
      const key = 'direct:answer:{failover}:a';
      const follower = direct.follow(key);
      await direct.commands.xadd(key, '1-0', 'c', 'before');
      await waitUntil(() => follower.got.length === 1);
      // The master holding the stream: the one whose count of the key's slot is 1.
      const slot = await redisCli(masters[0], 'cluster', 'keyslot', key);
      const counts = await Promise.all(masters.map((port) => redisCli(port, 'cluster', 'countkeysinslot', slot)));
      const owner = masters[counts.findIndex((count) => count === '1')];
      await cluster.failover(owner);
      await direct.commands.xadd(key, '2-0', 'c', 'after');
      await waitUntil(() => follower.got.length === 2, 30_000);
      expect(follower).toEqual({
        got: [
          ['c', 'before'],
          ['c', 'after'],
        ],
        error: undefined,
      });
    } finally {
      direct.close();
      await cluster.stop();
    }
  }, 90_000);
});
