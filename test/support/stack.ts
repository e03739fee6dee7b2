import { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { AppModule } from '../../src/app.module';
import { setUpApp } from '../../src/app-setup';
import { LocalDifyOptions, LocalDifyServer } from '../../src/local-dify';
import { WsTestClient } from './ws-test-client';

export const TEST_API_KEY = 'app-e2eSecretKey0123456789ab';

/** Every line the app logged, each after its level (`warn …`), to prove what never appears in logs. */
export class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log = (...args: unknown[]) => this.record('log', args);
  error = (...args: unknown[]) => this.record('error', args);
  warn = (...args: unknown[]) => this.record('warn', args);
  debug = (...args: unknown[]) => this.record('debug', args);
  verbose = (...args: unknown[]) => this.record('verbose', args);
  fatal = (...args: unknown[]) => this.record('fatal', args);
  private record(level: string, args: unknown[]): void {
    this.lines.push([level, ...args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack}` : String(a)))].join(' '));
  }
}

export interface Stack {
  app: INestApplication;
  dify: LocalDifyServer;
  logs: CapturingLogger;
  httpUrl: string;
  wsUrl: string;
  connect(): Promise<WsTestClient>;
  close(): Promise<void>;
}

type Env = Record<string, string | undefined>;

export interface StackOptions {
  dify?: LocalDifyOptions;
  /** Extra environment for the app (DIFY_BASE_URL and DIFY_API_KEY point at the local Dify unless set here). */
  env?: Env | ((difyBaseUrl: string) => Env);
}

/**
 * The app on port 0 talking HTTP+SSE to a real Dify-compatible server, also on port 0: nothing
 * stubbed between a test's WebSocket and the upstream's socket.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dify = new LocalDifyServer({ apiKeys: [TEST_API_KEY], chunkDelayMs: 2, firstChunkDelayMs: 5, ...options.dify });
  const { baseUrl } = await dify.listen(0, '127.0.0.1');
  const env = typeof options.env === 'function' ? options.env(baseUrl) : options.env;
  const app = await startApp({ DIFY_API_KEY: TEST_API_KEY, DIFY_BASE_URL: baseUrl, ...env }).catch(async (error: unknown) => {
    await dify.close();
    throw error;
  });
  return { ...app, dify, close: closedOnce(() => app.close().then(() => dify.close())) };
}

/** What was started and not closed yet (close-leftovers.ts closes it after the file). */
const leftovers = new Set<() => Promise<void>>();

/**
 * `close` that runs once however often it is called (a test may close a stack to anchor a check on
 * the shutdown, before its afterEach does), and is called after the file if the test never did.
 */
function closedOnce(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  const once = () => {
    leftovers.delete(once);
    return (closing ??= close());
  };
  leftovers.add(once);
  return once;
}

/** Closes every app and stack a test started and did not close, say because it failed first. */
export async function closeLeftovers(): Promise<void> {
  await Promise.all([...leftovers].map((close) => close()));
}

/** Only the app, with exactly this environment on top of the process's (undefined unsets). */
export async function startApp(env: Env) {
  const saved = { ...process.env };
  // Short turn waits and shutdown grace keep the suites quick; their own suites set realistic ones.
  // Dify's timeout is production's (the suites of timeouts set short ones): on a busy machine, two
  // events of a megabytes-long answer can be seconds apart, and that must not end it UPSTREAM_TIMEOUT.
  // pino's request lines would land amid jest's output: Nest's own lines go to `logs` at every level.
  Object.assign(process.env, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DIFY_TIMEOUT: '60',
    QUESTION_WAIT_MS: '50',
    QUESTION_WAIT_MS_PUNCTUATED: '20',
    SHUTDOWN_GRACE_MS: '300',
  });
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  const logs = new CapturingLogger();
  try {
    const app = await NestFactory.create(AppModule, { logger: logs, abortOnError: false });
    const config = setUpApp(app);
    await app.listen(0, '127.0.0.1');
    const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
    const wsUrl = `ws://127.0.0.1:${port}${config.wsPath}`;
    return {
      app,
      logs,
      httpUrl: `http://127.0.0.1:${port}`,
      wsUrl,
      connect: () => WsTestClient.connect(wsUrl),
      close: closedOnce(() => app.close()),
    };
  } finally {
    process.env = saved;
  }
}
