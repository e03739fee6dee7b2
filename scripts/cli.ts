import { existsSync } from 'node:fs';

/** The service reads .env (variables already set win): so do its command-line tools, to use its settings. */
export function loadDotEnv(): void {
  if (existsSync('.env')) process.loadEnvFile('.env');
}

/**
 * A tool's one-line error (`name: message` on stderr), and exit 2. Give the const it is kept in its
 * type (`const fail: (message: string) => never = …`), so TypeScript knows nothing runs after a call.
 */
export function failure(name: string): (message: string) => never {
  return (message) => {
    console.error(`${name}: ${message}`);
    process.exit(2);
  };
}
