/**
 * What following answers of other instances costs (issue 25): one process follows N answer streams
 * through RedisStreamFollowers, on a redis-server of its own, then on a Redis Cluster of three masters:
 *   FOLLOWED=500 RATE=2000 node -r ts-node/register/transpile-only scripts/stream-followers-cost.ts
 * For each: the Redis connections the followers added, Redis's and this process's CPU while the
 * streams are silent, then while RATE entries a second are written over them (the writer runs in this
 * process too), and the time from each write to its follower.
 */
import { RedisConnectionConfig } from '../src/config';
import { RedisConnections } from '../src/session';
import { RedisStreamFollowers } from '../src/session-hub/redis-stream-followers';
import { streamReader } from '../src/session-hub/redis-stream-readers';
import { lastingConnections, RedisCluster, redisCli } from '../test/support/redis-cluster';
import { RedisServer } from '../test/support/redis-server';

const FOLLOWED = Number(process.env.FOLLOWED ?? 500);
const RATE = Number(process.env.RATE ?? 2000);
const POLL_MS = Number(process.env.REDIS_CLUSTER_FOLLOW_POLL_MS ?? 50);
const PHASE_MS = 5000;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** CPU seconds the Redis servers at `ports` spent so far. */
async function redisCpu(ports: number[]): Promise<number> {
  const infos = await Promise.all(ports.map((port) => redisCli(port, 'info', 'cpu')));
  return infos.reduce(
    (sum, info) => sum + Number(/used_cpu_sys:([\d.]+)/.exec(info)![1]) + Number(/used_cpu_user:([\d.]+)/.exec(info)![1]),
    0,
  );
}

/** Redis's and this process's share of a core over `phase`. */
async function cpuDuring(ports: number[], phase: () => Promise<void>): Promise<{ redis: number; node: number }> {
  const [redisBefore, nodeBefore, started] = [await redisCpu(ports), process.cpuUsage(), performance.now()];
  await phase();
  const seconds = (performance.now() - started) / 1000;
  const node = process.cpuUsage(nodeBefore);
  return { redis: ((await redisCpu(ports)) - redisBefore) / seconds, node: (node.user + node.system) / 1e6 / seconds };
}

async function measure(mode: string, config: RedisConnectionConfig, ports: number[]): Promise<void> {
  const connections = new RedisConnections(config);
  const commands = connections.open({ enableOfflineQueue: true });
  const writer = connections.open({ enableOfflineQueue: true }, { enableAutoPipelining: true });
  const keys = Array.from({ length: FOLLOWED }, (_, i) => connections.keys.answer(`session-${i}`, 'answer').stream);
  // Both clients connected to every node before counting: a write to every stream.
  await Promise.all(keys.map((key) => writer.xadd(key, '1-0', 't', '0')));
  await commands.ping();
  const before = await lastingConnections(ports);
  const followers = new RedisStreamFollowers(streamReader(commands, connections, POLL_MS));
  const latencies: number[] = [];
  const following = keys.map((key) =>
    followers.follow(key, '1-0').subscribe((fields) => latencies.push(performance.now() - Number(fields[1]))),
  );
  await pause(500);
  const added = (await lastingConnections(ports)) - before;
  const idle = await cpuDuring(ports, () => pause(PHASE_MS));
  let written = 0;
  const busy = await cpuDuring(ports, async () => {
    const writing = setInterval(() => {
      for (let i = 0; i < RATE / 100; i++, written++)
        void writer.xadd(keys[written % FOLLOWED], `${2 + Math.floor(written / FOLLOWED)}-0`, 't', String(performance.now()));
    }, 10);
    await pause(PHASE_MS);
    clearInterval(writing);
    await pause(300);
  });
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.floor(q * (latencies.length - 1))].toFixed(1);
  const percent = (share: number) => `${(share * 100).toFixed(1)} %`;
  console.log(
    `${mode}: ${FOLLOWED} followed streams on ${added} more connection(s); silent: Redis ${percent(idle.redis)}, this process ${percent(idle.node)}; ` +
      `${written} entries in ${PHASE_MS / 1000} s: Redis ${percent(busy.redis)}, this process ${percent(busy.node)}; ` +
      `${latencies.length} delivered, write to follower p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`,
  );
  following.forEach((subscription) => subscription.unsubscribe());
  followers.close();
  commands.disconnect();
  writer.disconnect();
}

void (async () => {
  const server = await RedisServer.start();
  try {
    await measure('one node', { mode: 'standalone', url: server.url, nodes: [], keyPrefix: 'cost' }, [server.port]);
  } finally {
    await server.stop();
  }
  const cluster = await RedisCluster.start(3, 0);
  try {
    const masters = await cluster.masters();
    const nodes = masters.map((port) => ({ host: '127.0.0.1', port }));
    await measure(`Cluster of 3 masters, polled every ${POLL_MS} ms`, { mode: 'cluster', nodes, keyPrefix: 'cost' }, masters);
  } finally {
    await cluster.stop();
  }
})();
