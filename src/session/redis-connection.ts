import Redis, { Cluster, ClusterOptions, RedisOptions } from 'ioredis';
import type { RedisConnectionConfig } from '../config';
import { RedisKeys } from './redis-keys';
import { SentinelSwitches } from './sentinel-switches';
import { keepStoppedShardedSubscribersQuiet } from './sharded-subscriber-stop';

/** A connection to Redis in any mode: one node (standalone or the master Sentinels name), or a Cluster. */
export type RedisClient = Redis | Cluster;

/** Options of one connection, whatever the mode (a Cluster gives them to each node's connection). */
export type ConnectionOptions = Pick<
  RedisOptions,
  'commandTimeout' | 'enableOfflineQueue' | 'maxRetriesPerRequest' | 'connectTimeout' | 'enableAutoPipelining'
>;

/** A failover demotes the master a connection is on: its writes are refused READONLY until it reconnects. */
const DEMOTED = /^READONLY\b/;

/**
 * The one place connections to Redis are made, in the configured mode (REDIS_URL, REDIS_CLUSTER_NODES,
 * REDIS_SENTINELS) with its credentials and TLS, and the key names (`keys`) every user of Redis takes.
 * Each user opens the connections it needs: a blocking read or a subscription holds its own.
 */
export class RedisConnections {
  readonly keys: RedisKeys;
  /** Sentinel mode: moves every connection to the new master as soon as the Sentinels name it. */
  private readonly switches?: SentinelSwitches;

  constructor(readonly config: RedisConnectionConfig) {
    this.keys = new RedisKeys(config.keyPrefix);
    if (config.mode === 'sentinel')
      this.switches = new SentinelSwitches(config.nodes, config.sentinelName!, {
        ...(config.sentinelUsername ? { username: config.sentinelUsername } : {}),
        ...(config.sentinelPassword ? { password: config.sentinelPassword } : {}),
        ...(config.tls ? { tls: { ...config.tls } } : {}),
      });
  }

  open(
    options: ConnectionOptions = {},
    clusterOptions: Pick<ClusterOptions, 'shardedSubscribers' | 'slotsRefreshInterval' | 'enableAutoPipelining'> = {},
  ): RedisClient {
    const config = this.config;
    const node: RedisOptions = {
      ...(config.username ? { username: config.username } : {}),
      ...(config.password ? { password: config.password } : {}),
      ...(config.tls ? { tls: { ...config.tls } } : {}),
      // After a failover: reconnect, which finds the new master (Sentinel asks again, a URL resolves again).
      reconnectOnError: (error: Error) => DEMOTED.test(error.message),
      ...options,
    };
    if (config.mode === 'cluster' && clusterOptions.shardedSubscribers) keepStoppedShardedSubscribersQuiet();
    if (config.mode === 'cluster')
      return new Cluster(config.nodes, {
        redisOptions: node,
        enableOfflineQueue: options.enableOfflineQueue ?? true,
        enableAutoPipelining: options.enableAutoPipelining ?? false,
        // Nodes that go and come back (a restarted replica) are reconnected, not only found again by MOVED.
        clusterNodeRetryStrategy: (times: number) => Math.min(times * 100, 2000),
        // TLS checks the certificate against the name the seed was given, not an IP address.
        ...(config.tls
          ? { dnsLookup: (address: string, callback: (error: null, address: string) => void) => callback(null, address) }
          : {}),
        ...clusterOptions,
      });
    if (config.mode === 'sentinel')
      return this.switches!.watch(
        new Redis({
          ...node,
          sentinels: config.nodes,
          name: config.sentinelName,
          ...(config.sentinelUsername ? { sentinelUsername: config.sentinelUsername } : {}),
          ...(config.sentinelPassword ? { sentinelPassword: config.sentinelPassword } : {}),
          enableTLSForSentinelMode: Boolean(config.tls),
          ...(config.tls ? { sentinelTLS: { ...config.tls } } : {}),
        }),
      );
    return new Redis(config.url!, node);
  }
}

/**
 * The replies of a pipeline or transaction, of which ioredis resolves each command's error rather than
 * throwing it: throws the first error (or an aborted transaction's), else the replies in order.
 */
export function repliesOf(replies: Array<[Error | null, unknown]> | null): unknown[] {
  if (!replies) throw new Error('Redis aborted the transaction');
  return replies.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}

/** Whether the client is a Cluster's (pipelines and transactions then take one slot's keys only). */
export function isCluster(redis: RedisClient): redis is Cluster {
  return redis instanceof Cluster;
}
