/** The processes the benchmark measures: the service's production build and the minimal relay. */
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { freePort } from '../../test/support/net';

const root = join(__dirname, '..', '..');
const PROBE = ['--expose-gc', '-r', join(__dirname, 'probe.cjs')];
const CLOCK_TICKS_PER_SECOND = 100;

export interface Measured {
  name: string;
  url: string;
  process: ChildProcess;
  /** Heap and resident memory after two full GCs. */
  memory(): Promise<NodeJS.MemoryUsage>;
  /** CPU seconds (user + system) the process has used so far. */
  cpuSeconds(): number;
  heapSnapshot(path: string): Promise<void>;
  startProfile(): Promise<void>;
  stopProfile(path: string): Promise<void>;
  stop(): void;
  /** Its log lines so far (the service's; the relay logs nothing). */
  logs: LogCounts;
}

/** Log lines (pino's JSON, one a line): all, those at level error or fatal, and those carrying a stack trace. */
export interface LogCounts {
  lines: number;
  errors: number;
  stacks: number;
}

/** Runs on the cores listed (taskset -c), so a figure "on one core" is one. */
export interface Placement {
  cores?: string;
}

/**
 * The service's production build; `env` goes on top of the benchmark's settings (e.g. the default
 * limits back, or REDIS_URL), `name` names its figures.
 */
export async function startService(
  difyUrl: string,
  key: string,
  placement: Placement = {},
  env: Record<string, string> = {},
  name = 'service',
): Promise<Measured> {
  const port = await freePort();
  const child = launch([...PROBE, join(root, 'dist', 'main.js')], placement, {
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    DIFY_API_KEY: key,
    DIFY_BASE_URL: difyUrl,
    LOG_LEVEL: 'warn',
    // Measure the pipeline, not the turn-taking wait (which a deployment chooses).
    QUESTION_WAIT_MS: '0',
    QUESTION_WAIT_MS_PUNCTUATED: '0',
    // The partials flood sends 1,000 messages per socket at once.
    RATE_LIMIT_BURST: '100000',
    MAX_CONNECTIONS_PER_IP: '100000',
    // The idle connections are 10,000 of one principal.
    MAX_CONNECTIONS_PER_PRINCIPAL: '100000',
    MAX_CONCURRENT_ANSWERS: '100000',
    ...env,
  });
  const logs = countLogs(child.stdout!);
  const deadline = Date.now() + 30_000;
  while (
    !(await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('the service did not start (is dist/ built?)');
    await new Promise((r) => setTimeout(r, 100));
  }
  return measured(name, `ws://127.0.0.1:${port}/ws/realtime-asr`, child, logs);
}

export async function startRelay(difyUrl: string, key: string, placement: Placement = {}): Promise<Measured> {
  const child = launch([...PROBE, '-r', 'ts-node/register/transpile-only', join(__dirname, 'relay.ts')], placement, {
    DIFY_BASE_URL: difyUrl,
    DIFY_API_KEY: key,
    PORT: '0',
  });
  const line = await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(d.toString())));
  child.stdout!.resume();
  const { port } = JSON.parse(line.split('\n')[0]) as { port: number };
  return measured('relay', `ws://127.0.0.1:${port}/ws/realtime-asr`, child);
}

function launch(args: string[], placement: Placement, env: Record<string, string>): ChildProcess {
  const [command, argv] = placement.cores ? ['taskset', ['-c', placement.cores, process.execPath, ...args]] : [process.execPath, args];
  return spawn(command, argv, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
}

function countLogs(stdout: Readable): LogCounts {
  const counts = { lines: 0, errors: 0, stacks: 0 };
  createInterface({ input: stdout }).on('line', (line) => {
    counts.lines++;
    if (/"level":[56]0\b/.test(line)) counts.errors++;
    // A stack as a field of its own, or in the message (a JSON string's "\n    at ").
    if (line.includes('"stack":') || line.includes('\\n    at ')) counts.stacks++;
  });
  return counts;
}

function measured(name: string, url: string, child: ChildProcess, logs: LogCounts = { lines: 0, errors: 0, stacks: 0 }): Measured {
  let nextId = 0;
  const ask = <T>(probe: string, extra: object = {}) =>
    new Promise<T>((resolve) => {
      const id = nextId++;
      const onReply = (reply: { id?: number; result: T }) => {
        if (reply?.id !== id) return;
        child.off('message', onReply);
        resolve(reply.result);
      };
      child.on('message', onReply);
      child.send({ probe, id, ...extra });
    });
  return {
    name,
    url,
    process: child,
    memory: () => ask<NodeJS.MemoryUsage>('memory'),
    cpuSeconds: () => {
      // /proc/PID/stat: fields 14 and 15 are utime and stime in clock ticks (after the ")" of the name).
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
    },
    heapSnapshot: (path) => ask('heap-snapshot', { path }),
    startProfile: () => ask('profile-start'),
    stopProfile: (path) => ask('profile-stop', { path }),
    stop: () => child.kill('SIGTERM'),
    logs,
  };
}
