import type { RedisClient } from '../session';

/**
 * KEYS[1]: BullMQ's list of waiting job ids, KEYS[2]: its set of prioritized ones (batch items take
 * turns by priority: FairTurns). ARGV: the prefix of a job's key, the prefix of the ids of
 * the task's jobs. One pass over the list: BullMQ's own removal (LREM) scans the list for each job,
 * minutes of Redis for a few tasks of 10,000 items. Returns how many it dropped.
 */
const DROP = `
local ids = redis.call('LRANGE', KEYS[1], 0, -1)
local kept = {}
local dropped = 0
for _, id in ipairs(ids) do
  if string.sub(id, 1, #ARGV[2]) == ARGV[2] then
    redis.call('DEL', ARGV[1] .. id)
    dropped = dropped + 1
  else
    kept[#kept + 1] = id
  end
end
if dropped > 0 then
  redis.call('DEL', KEYS[1])
  for i = 1, #kept, 1000 do redis.call('RPUSH', KEYS[1], unpack(kept, i, math.min(i + 999, #kept))) end
end
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  if string.sub(id, 1, #ARGV[2]) == ARGV[2] then
    redis.call('ZREM', KEYS[2], id)
    redis.call('DEL', ARGV[1] .. id)
    dropped = dropped + 1
  end
end
return dropped`;

/** Drops a task's waiting jobs (`<task id>-<index>`) from a BullMQ queue, in one step; returns how many. */
export async function dropWaitingJobs(redis: RedisClient, queue: { toKey(type: string): string }, taskId: string): Promise<number> {
  return (await redis.eval(DROP, 2, queue.toKey('wait'), queue.toKey('prioritized'), queue.toKey(''), `${taskId}-`)) as number;
}
