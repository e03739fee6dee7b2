import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './net';

const root = join(__dirname, '..', '..');

/**
 * The service in a process of its own on a free loopback port, as production runs it (to be
 * killed as an OOM or a node failure would): `dist/main.js` when built, else `src/main.ts` through
 * ts-node. Resolves once `/health` answers.
 */
export async function startServiceProcess(env: Record<string, string>, built = false): Promise<{ process: ChildProcess; wsUrl: string }> {
  const port = await freePort();
  const args = built ? [join(root, 'dist', 'main.js')] : ['-r', 'ts-node/register', join(root, 'src', 'main.ts')];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
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
