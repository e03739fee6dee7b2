import { Subscription } from 'rxjs';
import { RedisConnectionConfig } from '../config';
import { RedisConnections } from '../session';
import { redisCli } from '../../test/support/redis-cluster';
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
});
