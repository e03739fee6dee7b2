import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { LocalDifyServer } from '../src/local-dify';
import { freePort } from './support/net';
import { RedisServer, redisServerInstalled } from './support/redis-server';
import { ServiceOutput, spawnService } from './support/service-process';
import { waitUntil } from './support/wait-until';

// In CI a missing redis-server is a failure, never a silent skip: .ci/run installs it.
const describeWithRedis = redisServerInstalled() || process.env.CI ? describe : describe.skip;

const API_KEY = 'app-CredentialsSecretKey0123456';
const REDIS_PASSWORD = 'redis-Pw-9f8e7d6c5b';

/** The service process as production runs it (JSON logs on a pipe), with URLs that carry credentials. */
describeWithRedis('credentials in configured URLs (e2e, service process)', () => {
  let redis: RedisServer;
  let dify: LocalDifyServer;
  let difyUrl: string;
  const running: ChildProcess[] = [];
  beforeAll(async () => {
    redis = await RedisServer.start(undefined, undefined, ['--requirepass', REDIS_PASSWORD]);
    dify = new LocalDifyServer({ apiKeys: [API_KEY] });
    difyUrl = (await dify.listen(0, '127.0.0.1')).baseUrl;
  });
  afterAll(async () => {
    for (const service of running) if (service.exitCode === null) service.kill('SIGKILL');
    await dify.close();
    await redis.stop();
  });

  const start = async (env: Record<string, string>) => {
    const port = await freePort();
    const output: ServiceOutput = { text: '' };
    const service = spawnService(
      port,
      { NODE_ENV: 'production', LOG_LEVEL: 'log', DIFY_API_KEY: API_KEY, DIFY_BASE_URL: difyUrl, ...env },
      output,
    );
    running.push(service);
    const exited = once(service, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    return { port, output, service, exited };
  };
  const jsonLines = (text: string) =>
    text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: number; msg: string });

  it('never prints nor returns the password of REDIS_URL: start-up, readiness up and down, shutdown', async () => {
    const { port, output, service, exited } = await start({ REDIS_URL: `redis://default:${REDIS_PASSWORD}@127.0.0.1:${redis.port}` });
    const readiness = async () => {
      const response = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
      return { status: response?.status, body: (await response?.text()) ?? '' };
    };
    await waitUntil(async () => (await readiness()).status === 200, 30_000);
    expect(output.text).toContain('Using Dify at http://127.0.0.1:');

    await redis.stop();
    let down = { status: undefined as number | undefined, body: '' };
    // The first refusal may come before the client has noticed the connection is gone ("Stream isn't
    // writeable"): wait for the reason readiness gives once it has.
    await waitUntil(async () => (down = await readiness()).status === 503 && down.body.includes('Redis is not connected'));
    await redis.run();
    await waitUntil(async () => (await readiness()).status === 200, 10_000);
    service.kill('SIGTERM');
    expect((await exited)[0]).toBe(0);

    expect(down.body).toContain('Redis is not connected');
    expect(down.body).not.toContain(REDIS_PASSWORD);
    expect(output.text).not.toContain(REDIS_PASSWORD);
    expect(output.text).not.toContain(API_KEY);
    for (const line of jsonLines(output.text)) expect(line.msg).toBeDefined();
  }, 60_000);

  it('refuses a DIFY_BASE_URL with credentials (they would replace the key) without printing them', async () => {
    const withCredentials = difyUrl.replace('http://', `http://alice:${REDIS_PASSWORD}@`);
    const { output, exited } = await start({ DIFY_BASE_URL: withCredentials });
    expect((await exited)[0]).toBe(1);
    expect(output.text).toContain('DIFY_BASE_URL: must not carry credentials');
    expect(output.text).not.toContain(REDIS_PASSWORD);
  }, 60_000);

  it.each([
    [
      'a wrong password',
      { REDIS_URL: `redis://:wrong-${REDIS_PASSWORD}@127.0.0.1:PORT` },
      /Redis refused the credentials \(WRONGPASS\): check REDIS_USERNAME/,
    ],
    ['no password', { REDIS_URL: 'redis://127.0.0.1:PORT' }, /Redis requires a password \(NOAUTH\) and none is configured/],
  ])(
    'waits for Redis to take %s, not ready and saying why, instead of exiting',
    async (_what, env, line) => {
      const { port, output, service, exited } = await start({ REDIS_URL: env.REDIS_URL.replace('PORT', String(redis.port)) });
      let body = '';
      await waitUntil(async () => {
        const response = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
        body = (await response?.text()) ?? '';
        return response?.status === 503;
      }, 30_000);
      await waitUntil(() => jsonLines(output.text).filter((l) => line.test(l.msg)).length >= 2, 30_000);
      expect(service.exitCode).toBeNull();
      service.kill('SIGTERM');
      expect((await exited)[0]).toBe(0);
      expect(body).not.toContain(REDIS_PASSWORD);
      expect(output.text).not.toContain(REDIS_PASSWORD);
    },
    60_000,
  );

  it('takes the password from REDIS_PASSWORD for a REDIS_URL without one', async () => {
    const { port, service, exited, output } = await start({ REDIS_URL: `redis://127.0.0.1:${redis.port}`, REDIS_PASSWORD });
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined))?.status === 200, 30_000);
    service.kill('SIGTERM');
    expect((await exited)[0]).toBe(0);
    expect(output.text).not.toContain(REDIS_PASSWORD);
  }, 60_000);
});
