import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './net';

const root = join(__dirname, '..', '..');

/** Its output, everything it wrote to stdout and stderr so far, for a test that reads its logs. */
export interface ServiceOutput {
  text: string;
}

/**
 * The service from `src/main.ts` (through ts-node) in a process of its own, on `port` of loopback,
 * with `env` over the test's; `output` collects what it prints. Does not wait for it to listen.
 */
export function spawnService(port: number, env: Record<string, string>, output?: ServiceOutput, built = false): ChildProcess {
  const args = built ? [join(root, 'dist', 'main.js')] : ['-r', 'ts-node/register', join(root, 'src', 'main.ts')];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', output ? 'pipe' : 'ignore', output ? 'pipe' : 'inherit'],
  });
  const collect = (chunk: Buffer) => output && (output.text += chunk.toString());
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return child;
}

/**
 * The service in a process of its own on a free loopback port, as production runs it (to be
 * killed as an OOM or a node failure would): `dist/main.js` when built, else `src/main.ts` through
 * ts-node. Resolves once `/health` answers.
 */
export async function startServiceProcess(env: Record<string, string>, built = false): Promise<{ process: ChildProcess; wsUrl: string }> {
  const port = await freePort();
  const child = spawnService(port, { NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env }, undefined, built);
  const deadline = Date.now() + 30_000;
  while (
    !(await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`the service process did not start${built ? ' (is dist/ built?)' : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { process: child, wsUrl: `ws://127.0.0.1:${port}/ws/realtime-asr` };
}
