/** The Redis a chaos run shares between its instances, and the fault it suffers mid-run. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RedisCluster } from '../../test/support/redis-cluster';
import { RedisServer } from '../../test/support/redis-server';

export interface ChaosRedis {
  /** The service's variables that point it at this Redis. */
  readonly env: Record<string, string>;
  /** What `fault` does, for the report. */
  readonly faultName: string;
  fault(): Promise<void>;
  stop(): Promise<void>;
}

/** One redis-server with an append-only file, killed and restarted mid-run (as a production Redis keeps its data). */
export async function singleRedis(): Promise<ChaosRedis> {
  const dataDir = mkdtempSync(join(tmpdir(), 'realtime-rag-chaos-'));
  const redis = await RedisServer.start(undefined, dataDir);
  return {
    env: { REDIS_URL: redis.url },
    faultName: 'Redis restarted',
    async fault() {
      await redis.stop();
      await sleep(500);
      await redis.run();
    },
    async stop() {
      await redis.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A Cluster of three masters, each with a replica; one master is failed over to its replica mid-run (CLUSTER FAILOVER). */
export async function clusterRedis(): Promise<ChaosRedis> {
  const cluster = await RedisCluster.start(3, 1);
  return {
    env: { REDIS_CLUSTER_NODES: cluster.seeds },
    faultName: 'a Cluster master failed over',
    async fault() {
      const [master] = await cluster.masters();
      await cluster.failover(master);
    },
    stop: () => cluster.stop(),
  };
}
