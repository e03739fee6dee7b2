import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net';
import { redisCli } from './redis-cluster';
import { RedisServer } from './redis-server';
import { waitUntil } from './wait-until';

/** The name the sentinels know the master by (`REDIS_SENTINEL_NAME`). */
export const SENTINEL_MASTER = 'rag-master';

/**
 * A real Sentinel setup of the test's own on loopback: one master, one replica, and three
 * `redis-server --sentinel` watching them (a quorum of 2), quick to declare the master down.
 */
export class RedisSentinels {
  private constructor(
    readonly servers: RedisServer[],
    private readonly sentinels: Array<{ port: number; process: ChildProcess }>,
    private readonly dir: string,
  ) {}

  static async start(): Promise<RedisSentinels> {
    const dir = mkdtempSync(join(tmpdir(), 'redis-sentinel-'));
    const master = await RedisServer.start();
    const replica = await RedisServer.start(undefined, undefined, ['--replicaof', '127.0.0.1', String(master.port)]);
    await waitUntil(async () => (await redisCli(replica.port, 'role')).includes('connected'), 20_000);
    const sentinels = await Promise.all([0, 1, 2].map(() => startSentinel(dir, master.port)));
    const setup = new RedisSentinels([master, replica], sentinels, dir);
    // Each sentinel has found the replica and the other sentinels: a failover can be agreed on.
    await waitUntil(async () => {
      const views = await Promise.all(sentinels.map(({ port }) => redisCli(port, 'sentinel', 'master', SENTINEL_MASTER).catch(() => '')));
      return views.every((view) => /num-slaves\n1\b/.test(view) && /num-other-sentinels\n2\b/.test(view));
    }, 30_000);
    return setup;
  }

  /** `REDIS_SENTINELS` for it. */
  get addresses(): string {
    return this.sentinels.map(({ port }) => `127.0.0.1:${port}`).join(',');
  }

  /** The port of the master the sentinels name now. */
  async masterPort(): Promise<number> {
    const [, port] = (await redisCli(this.sentinels[0].port, 'sentinel', 'get-master-addr-by-name', SENTINEL_MASTER)).split('\n');
    return Number(port);
  }

  /** Promotes the replica (SENTINEL FAILOVER: the old master is demoted to a replica), and waits until it serves as master. */
  async failover(): Promise<number> {
    const before = await this.masterPort();
    await redisCli(this.sentinels[0].port, 'sentinel', 'failover', SENTINEL_MASTER);
    await waitUntil(async () => (await this.masterPort()) !== before, 30_000);
    const after = await this.masterPort();
    await waitUntil(async () => (await redisCli(after, 'role')).startsWith('master'), 30_000);
    return after;
  }

  async stop(): Promise<void> {
    for (const sentinel of this.sentinels) await stopSentinel(sentinel);
    await Promise.all(this.servers.map((server) => server.stop()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Kills a sentinel started by `startSentinel` and waits until it has exited. */
export async function stopSentinel({ process }: { process: ChildProcess }): Promise<void> {
  if (process.exitCode !== null || process.signalCode !== null) return;
  const exited = once(process, 'exit');
  process.kill('SIGKILL');
  await exited;
}

/** One `redis-server --sentinel` watching the master on `masterPort`, with more sentinel.conf lines (`requirepass …`, say). */
export async function startSentinel(
  dir: string,
  masterPort: number,
  lines: string[] = [],
): Promise<{ port: number; process: ChildProcess }> {
  const port = await freePort();
  // Sentinel rewrites its configuration file as it learns: one writable file each.
  const file = join(dir, `sentinel-${port}.conf`);
  writeFileSync(
    file,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${masterPort} 2`,
      `sentinel down-after-milliseconds ${SENTINEL_MASTER} 1000`,
      `sentinel failover-timeout ${SENTINEL_MASTER} 5000`,
      ...lines,
      '',
    ].join('\n'),
  );
  const child = spawn('redis-server', [file, '--sentinel'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitUntil(() => {
    if (child.exitCode !== null) throw new Error(`redis-sentinel did not start: ${output}`);
    return output.includes('+monitor master');
  }, 10_000);
  return { port, process: child };
}
