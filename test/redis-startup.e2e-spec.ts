import type { ChildProcess } from 'node:child_process';
import { LocalDifyServer } from '../src/local-dify';
import { freePort } from './support/net';
import { RedisCluster } from './support/redis-cluster';
import { RedisServer, redisServerInstalled } from './support/redis-server';
import { ServiceOutput, spawnService } from './support/service-process';
import { TEST_API_KEY } from './support/stack';
import { waitUntil } from './support/wait-until';

// In CI a missing redis-server is a failure, never a silent skip: .ci/run installs it.
const describeWithRedis = redisServerInstalled() || process.env.CI ? describe : describe.skip;

/** Patient start-up: a service started before its Redis waits for it instead of exiting. */
describeWithRedis('start-up before Redis is there (e2e, service process)', () => {
  let dify: LocalDifyServer;
  let difyUrl: string;
  const running: ChildProcess[] = [];
  const servers: Array<RedisServer | RedisCluster> = [];
  beforeAll(async () => {
    dify = new LocalDifyServer({ apiKeys: [TEST_API_KEY] });
    difyUrl = (await dify.listen(0, '127.0.0.1')).baseUrl;
  });
  afterAll(async () => {
    for (const service of running) if (service.exitCode === null) service.kill('SIGKILL');
    await Promise.all(servers.map((server) => server.stop()));
    await dify.close();
  });

  async function start(env: Record<string, string>) {
    const port = await freePort();
    const output: ServiceOutput = { text: '' };
    const service = spawnService(
      port,
      { NODE_ENV: 'production', LOG_LEVEL: 'log', DIFY_API_KEY: TEST_API_KEY, DIFY_BASE_URL: difyUrl, ...env },
      output,
    );
    running.push(service);
    const readiness = async () => (await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined))?.status;
    return { service, output, readiness };
  }

  it('waits for a standalone Redis, saying so at each attempt and not ready meanwhile, then serves', async () => {
    const redisPort = await freePort();
    const { service, output, readiness } = await start({ REDIS_URL: `redis://127.0.0.1:${redisPort}` });
    await waitUntil(async () => (await readiness()) === 503, 30_000);
    await waitUntil(() => (output.text.match(/Redis: connect ECONNREFUSED/g) ?? []).length >= 3, 30_000);
    expect(service.exitCode).toBeNull();
    servers.push(await RedisServer.start(redisPort));
    await waitUntil(async () => (await readiness()) === 200, 30_000);
  }, 90_000);

  it('waits for a Redis Cluster whose seeds are not up yet, then serves', async () => {
    const cluster = await RedisCluster.start(3, 0);
    servers.push(cluster);
    const seeds = cluster.seeds;
    await Promise.all(cluster.nodes.map((node) => node.stop()));
    const { service, readiness } = await start({ REDIS_CLUSTER_NODES: seeds });
    await waitUntil(async () => (await readiness()) === 503, 30_000);
    expect(service.exitCode).toBeNull();
    await Promise.all(cluster.nodes.map((node) => node.run()));
    await cluster.untilHealthy();
    await waitUntil(async () => (await readiness()) === 200, 30_000);
  }, 90_000);
});
