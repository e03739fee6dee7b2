/**
 * Jest's global setup for the e2e suites: compiles the client library for browsers (npm run
 * build:client), as the demo page loads it from /client/, so the suites never test a stale build.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export default function buildClient(): void {
  const root = join(__dirname, '..', '..');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'client/tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
}
