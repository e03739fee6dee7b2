import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './net';
import { RedisServer } from './redis-server';
import { waitUntil } from './wait-until';

const run = promisify(execFile);

/** `redis-cli` against one node; its reply as text. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  return (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args])).stdout.trim();
}

/** The clients connected to the Redis servers at `ports` now, by server and id (not the redis-cli asking, nor a named refresher). */
async function clients(ports: number[]): Promise<Set<string>> {
  const lists = await Promise.all(ports.map((port) => redisCli(port, 'client', 'list')));
  const lines = lists.flatMap((list, i) => list.split('\n').map((line) => `${ports[i]} ${line}`));
  return new Set(
    lines
      .filter((line) => / id=/.test(line) && !line.includes('cmd=client|list') && !line.includes('(refresher)'))
      .map((line) => line.split(' ', 2).join(' ')),
  );
}

/**
 * The lasting clients connected to the Redis servers at `ports`: those in two lists in a row. A Cluster
 * client opens a connection of its own for a moment at each slots refresh (every second or five), seen
 * unnamed before its CLIENT SETNAME.
 */
export async function lastingConnections(ports: number[]): Promise<number> {
  const first = await clients(ports);
  return [...(await clients(ports))].filter((client) => first.has(client)).length;
}

/**
 * A real Redis Cluster of the test's own on loopback: `masters` redis-servers with
 * `--cluster-enabled yes` (each with `replicas` replicas), joined by `redis-cli --cluster create`.
 * The cluster bus gets a free port of its own (the default port + 10000 may be past 65535).
 */
export class RedisCluster {
  private constructor(
    readonly nodes: RedisServer[],
    private readonly dir: string,
  ) {}

  static async start(masters = 3, replicas = 0): Promise<RedisCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
    const ports = await distinctFreePorts(2 * masters * (1 + replicas));
    const nodes: RedisServer[] = [];
    const cluster = new RedisCluster(nodes, dir);
    try {
      for (let i = 0; i < ports.length; i += 2) {
        const [port, bus] = [ports[i], ports[i + 1]];
        const options = ['--cluster-enabled', 'yes', '--cluster-port', String(bus), '--cluster-node-timeout', '1000'];
        nodes.push(await RedisServer.start(port, undefined, [...options, '--cluster-config-file', join(dir, `nodes-${port}.conf`)]));
      }
      const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
      await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas), '--cluster-yes']).catch(
        (error: { stdout?: string; stderr?: string }) => {
          throw new Error(`redis-cli --cluster create failed: ${error.stdout ?? ''}${error.stderr ?? ''}`);
        },
      );
      await cluster.untilHealthy();
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** `REDIS_CLUSTER_NODES` for it. */
  get seeds(): string {
    return this.nodes.map((node) => `127.0.0.1:${node.port}`).join(',');
  }

  /** Every node says the cluster is ok (all slots served) and, with replicas, each master has one in sync. */
  async untilHealthy(): Promise<void> {
    await waitUntil(async () => {
      const states = await Promise.all(this.nodes.map((node) => redisCli(node.port, 'cluster', 'info').catch(() => '')));
      return states.every((info) => info.includes('cluster_state:ok'));
    }, 30_000);
  }

  /** The ports of the nodes that are masters now. */
  async masters(): Promise<number[]> {
    const roles = await Promise.all(
      this.nodes.map(async (node) => ({ port: node.port, role: await redisCli(node.port, 'role').catch(() => '') })),
    );
    return roles.filter(({ role }) => role.startsWith('master')).map(({ port }) => port);
  }

  /** Promotes a replica of the master at `masterPort` (CLUSTER FAILOVER on it), and waits until it is master. */
  async failover(masterPort: number): Promise<number> {
    const replica = await this.replicaOf(masterPort);
    await redisCli(replica, 'cluster', 'failover');
    await waitUntil(async () => (await redisCli(replica, 'role')).startsWith('master'), 30_000);
    await this.untilHealthy();
    return replica;
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async replicaOf(masterPort: number): Promise<number> {
    for (const node of this.nodes) {
      const role = (await redisCli(node.port, 'role')).split('\n');
      if (role[0] === 'slave' && role[2] === String(masterPort)) return node.port;
    }
    throw new Error(`no replica of the master at ${masterPort}`);
  }
}

/** `count` loopback ports, all different, free a moment ago (a node's port and its cluster bus port among them). */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}
