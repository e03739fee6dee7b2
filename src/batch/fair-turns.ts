import type { RedisClient } from '../session';

/** BullMQ's highest priority number (its lowest priority): later turns all wait there, in the order they came. */
const LAST_TURN = 2 ** 21 - 1;

/** KEYS[1]: the turn being served. ARGV[1]: the turn of an item that starts. The turn only moves on. */
const SERVED = `
if tonumber(ARGV[1]) > tonumber(redis.call('GET', KEYS[1]) or '0') then redis.call('SET', KEYS[1], ARGV[1]) end
return 1`;

/**
 * Turns for batch items across instances, as BullMQ priorities (a lower number goes first; equal
 * ones in the order they came). A task's first item gets the turn after the one being served, its
 * next items one turn later each, times its principal's open tasks: every open task gets about one
 * item started a turn, every principal about one whatever its number of tasks, so a small task
 * submitted behind a large one is done within a few turns, on every instance (start-time fair
 * queuing; BullMQ's own groups are in its paid edition only). A retried item keeps its turn.
 */
export class FairTurns {
  constructor(
    private readonly redis: RedisClient,
    /** The key of the turn being served. */
    private readonly key: string,
  ) {}

  /** The turn being served now. */
  async current(): Promise<number> {
    return Number((await this.redis.get(this.key)) ?? 0);
  }

  /** The turn of a task's `index`th item (from 0) when the turn `from` is served and its principal has `tasks` open. */
  static of(from: number, index: number, tasks: number): number {
    return Math.min(LAST_TURN, from + 1 + index * Math.max(1, tasks));
  }

  /** An item of `turn` starts: the turns before it are over. */
  async served(turn: number): Promise<void> {
    if (turn > 0) await this.redis.eval(SERVED, 1, this.key, String(turn));
  }
}
