import Redis from 'ioredis';
import { RedisServer, redisServerInstalled } from './redis-server';

/** One of the two queues a batch suite runs on: its name, and the app's environment for it. */
export interface BatchQueueCase {
  queue: string;
  env: () => Promise<Record<string, string>>;
}

/**
 * Both queues for `describe.each`: in this process, and BullMQ on a redis-server this file starts
 * (with no append-only file: not durable). Each suite's Redis starts empty: items a closed stack put
 * back in the queue would otherwise be answered by the next one, taking its injected faults. In CI a
 * missing redis-server is a failure, never a silent skip: .ci/run installs it.
 */
export function batchQueues(): { queues: BatchQueueCase[]; withRedis: boolean; redisUrl: () => string } {
  const withRedis = redisServerInstalled() || !!process.env.CI;
  let redis: RedisServer | undefined;
  beforeAll(async () => {
    if (withRedis) redis = await RedisServer.start();
  });
  afterAll(() => redis?.stop());
  const queues: BatchQueueCase[] = [{ queue: 'in-process queue', env: async () => ({}) }];
  if (withRedis) queues.push({ queue: 'BullMQ on Redis', env: async () => ({ REDIS_URL: await emptied(redis!) }) });
  return { queues, withRedis, redisUrl: () => redis!.url };
}

async function emptied(server: RedisServer): Promise<string> {
  const client = new Redis(server.url);
  await client.flushall();
  await client.quit();
  return server.url;
}
