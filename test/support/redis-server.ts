import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net';

/** Whether a `redis-server` binary is installed (.ci/run installs Debian's). */
export function redisServerInstalled(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A real redis-server of the test's own on a free loopback port, without persistence. */
export class RedisServer {
  private process?: ChildProcess;

  private constructor(
    readonly port: number,
    /** Keep the data across a restart (an append-only file in this folder), as a production Redis does. */
    private readonly persistIn?: string,
    /** More of redis-server's options, e.g. `['--requirepass', 'pw']` or `['--maxmemory', '2mb']`. */
    private readonly options: readonly string[] = [],
  ) {}

  static async start(port?: number, persistIn?: string, options?: readonly string[]): Promise<RedisServer> {
    const server = new RedisServer(port ?? (await freePort()), persistIn, options);
    await server.run();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** (Re)starts it on the same port. */
  async run(): Promise<void> {
    // Without persistence its files (a replica's copy of its master's data) go to a folder of its own,
    // emptied at each start: never the working directory, where the next server would load them.
    const dir = this.persistIn ?? join(tmpdir(), `redis-test-${this.port}`);
    if (!this.persistIn) rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const persistence = this.persistIn
      ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir]
      : ['--appendonly', 'no', '--dir', dir];
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persistence, ...this.options],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    this.process = child;
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 10_000;
    while (!output.includes('Ready to accept connections')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start: ${output}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Stops it answering without closing a connection (SIGSTOP): how a hung Redis or a network partition looks. */
  freeze(): void {
    this.process?.kill('SIGSTOP');
  }

  /** Lets a frozen server answer again (SIGCONT); what it was sent meanwhile is answered then. */
  thaw(): void {
    this.process?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
}
