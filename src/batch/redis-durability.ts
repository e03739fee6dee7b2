import type { Logger } from '@nestjs/common';
import type { RedisClient } from '../session';

/**
 * Whether Redis keeps what it holds across its restart: only with its append-only file on. RDB
 * snapshots alone do not count: a restart loses what came since the last one (minutes of tasks).
 */
export async function redisPersists(redis: RedisClient): Promise<boolean> {
  return /^aof_enabled:1\s*$/m.test(await redis.info('persistence'));
}

/** Says at start-up whether the tasks are durable, as GET /api/batch/status does. */
export async function sayWhetherDurable(redis: RedisClient, logger: Logger): Promise<void> {
  const shared = 'Batch tasks are jobs on BullMQ in Redis, answered by every instance';
  try {
    if (await redisPersists(redis)) logger.log(`${shared}: durable (Redis has its append-only file on)`);
    else
      logger.warn(
        `${shared}: not durable, Redis has no append-only file (appendonly no), so a restart of it loses them: run it with --appendonly yes`,
      );
  } catch (error) {
    logger.warn(`${shared}: whether Redis persists them is not known (${error instanceof Error ? error.message : String(error)})`);
  }
}
