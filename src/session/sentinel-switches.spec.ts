import Redis from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisCli } from '../../test/support/redis-cluster';
import { RedisServer, redisServerInstalled } from '../../test/support/redis-server';
import { RedisSentinels, SENTINEL_MASTER, startSentinel, stopSentinel } from '../../test/support/redis-sentinel';
import { waitUntil } from '../../test/support/wait-until';
import { RedisConnections } from './redis-connection';
import { SentinelSwitches } from './sentinel-switches';

// In CI a missing redis-server is a failure, never a silent skip: .ci/run installs it.
const describeWithRedis = redisServerInstalled() || process.env.CI ? describe : describe.skip;

/** What a Sentinel publishes when it names a new master. */
const switchTo = (name: string, port: number) => `${name} 127.0.0.1 1 127.0.0.1 ${port}`;

describeWithRedis('SentinelSwitches, on a plain redis-server publishing what a Sentinel would', () => {
  let announcer: RedisServer;
  let master: RedisServer;
  beforeAll(async () => {
    [announcer, master] = await Promise.all([RedisServer.start(), RedisServer.start()]);
  });
  afterAll(async () => {
    await Promise.all([announcer.stop(), master.stop()]);
  });

  const listened = async () => Number((await redisCli(announcer.port, 'pubsub', 'numsub', '+switch-master')).split('\n')[1]);
  const announce = (message: string) => redisCli(announcer.port, 'publish', '+switch-master', message);

  /** A connection to `master` watched by a SentinelSwitches for `name`, counting its reconnections. */
  function watched(name: string) {
    const connection = new SentinelSwitches([{ host: '127.0.0.1', port: announcer.port }], name).watch(new Redis(master.port, '127.0.0.1'));
    const moved = { count: 0 };
    connection.on('reconnecting', () => moved.count++);
    return { connection, moved };
  }

  it('moves a connected connection each time the Sentinels name another master for its name, and only then', async () => {
    const mine = watched('mine');
    const theirs = watched('theirs');
    try {
      await waitUntil(
        async () => mine.connection.status === 'ready' && theirs.connection.status === 'ready' && (await listened()) === 2,
        10_000,
      );
      const before = await mine.connection.client('ID');

      await announce(switchTo('theirs', 7001));
      await waitUntil(() => theirs.moved.count === 1 && theirs.connection.status === 'ready', 10_000);
      // Both listeners had the message at once; reconnecting took longer than reading it.
      expect(mine.moved.count).toBe(0);
      await announce(switchTo('mine', 7001));
      await waitUntil(() => mine.moved.count === 1 && mine.connection.status === 'ready', 10_000);
      expect(await mine.connection.client('ID')).not.toBe(before);
      // Failed back: a new switch, the connection moves again; the other name's connection stayed.
      await announce(switchTo('mine', 7002));
      await waitUntil(() => mine.moved.count === 2 && mine.connection.status === 'ready', 10_000);
      expect(theirs.moved.count).toBe(1);
    } finally {
      mine.connection.disconnect();
      theirs.connection.disconnect();
    }
    // The last connections watched have ended: the subscriptions to the Sentinels go with them.
    await waitUntil(async () => (await listened()) === 0, 10_000);
  });
});

describeWithRedis('Sentinel-mode connections, on a real master, replica and three Sentinels', () => {
  let sentinels: RedisSentinels;
  beforeAll(async () => {
    sentinels = await RedisSentinels.start();
  }, 60_000);
  afterAll(async () => {
    await sentinels.stop();
  });

  // ioredis's own failoverDetector ended about half of these for good: a connection retrying the killed
  // master when the switch was announced got `Connection is closed.` and stayed `end`.
  it('every connection is ready again on the promoted replica after the master is killed', async () => {
    const connections = new RedisConnections({
      mode: 'sentinel',
      nodes: sentinels.addresses.split(',').map((address) => ({ host: '127.0.0.1', port: Number(address.split(':')[1]) })),
      sentinelName: SENTINEL_MASTER,
      keyPrefix: 'switches',
    });
    const opened = Array.from({ length: 300 }, () => connections.open() as Redis);
    opened.forEach((connection) => connection.on('error', () => undefined));
    try {
      await waitUntil(() => opened.every((connection) => connection.status === 'ready'), 30_000);
      const killed = await sentinels.masterPort();
      await sentinels.servers.find((server) => server.port === killed)!.stop();
      await waitUntil(async () => (await sentinels.masterPort()) !== killed, 30_000);
      const promoted = await sentinels.masterPort();

      await waitUntil(
        () => opened.every((connection) => connection.status === 'ready' && connection.stream.remotePort === promoted),
        30_000,
      );
      expect(await opened[0].set('switches:written', 'after the failover')).toBe('OK');
    } finally {
      opened.forEach((connection) => connection.disconnect());
    }
  }, 90_000);
});

describeWithRedis('Sentinel-mode connections to Sentinels that require a password of their own', () => {
  it("authenticate to the Sentinels with the Sentinels' password and to the master with the master's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sentinel-auth-'));
    const master = await RedisServer.start(undefined, undefined, ['--requirepass', 'master-pw']);
    const sentinel = await startSentinel(dir, master.port, ['requirepass sentinel-pw', `sentinel auth-pass ${SENTINEL_MASTER} master-pw`]);
    const open = (sentinelPassword?: string) =>
      new RedisConnections({
        mode: 'sentinel',
        nodes: [{ host: '127.0.0.1', port: sentinel.port }],
        sentinelName: SENTINEL_MASTER,
        password: 'master-pw',
        sentinelPassword,
        keyPrefix: 'sentinel-auth',
      }).open({ maxRetriesPerRequest: 1 }) as Redis;
    const [authenticated, refused] = [open('sentinel-pw'), open()];
    const refusals: string[] = [];
    refused.on('error', (error: Error) => refusals.push(error.message));
    try {
      await waitUntil(() => authenticated.status === 'ready', 10_000);
      expect(await authenticated.set('sentinel-auth:written', 'through the Sentinel')).toBe('OK');
      // Without it the Sentinels refuse to name the master, and nothing is sent to it.
      await waitUntil(() => refusals.some((message) => /NOAUTH|Authentication required/i.test(message)), 10_000);
      expect(refused.status).not.toBe('ready');
    } finally {
      authenticated.disconnect();
      refused.disconnect();
      await stopSentinel(sentinel);
      await master.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it("subscribes to a Sentinel's switches with the Sentinels' password", async () => {
    const announcer = await RedisServer.start(undefined, undefined, ['--requirepass', 'sentinel-pw']);
    const master = await RedisServer.start();
    const connection = new SentinelSwitches([{ host: '127.0.0.1', port: announcer.port }], 'mine', { password: 'sentinel-pw' }).watch(
      new Redis(master.port, '127.0.0.1'),
    );
    const authed = (...args: string[]) => redisCli(announcer.port, '-a', 'sentinel-pw', '--no-auth-warning', ...args);
    try {
      await waitUntil(async () => (await authed('pubsub', 'numsub', '+switch-master')).endsWith('\n1'), 10_000);
      let moved = 0;
      connection.on('reconnecting', () => moved++);
      await authed('publish', '+switch-master', switchTo('mine', 7001));
      await waitUntil(() => moved === 1 && connection.status === 'ready', 10_000);
    } finally {
      connection.disconnect();
      await Promise.all([announcer.stop(), master.stop()]);
    }
  });
});
