import { createHash } from 'node:crypto';

/** The BullMQ queue of batch items (one queue: every instance's worker takes from it). */
export const ITEM_QUEUE = 'realtime-rag-batch';

/**
 * The names of the batch's keys in Redis, all beginning with REDIS_KEY_PREFIX. A task's keys carry
 * its hash tag `{<task id>}` (its scripts take four of them at once; on a Cluster one slot), and
 * BullMQ's prefix is a hash tag, as BullMQ needs on a Cluster (its scripts take a queue's keys together).
 */
export class BatchKeys {
  /** BullMQ's keys: `{<prefix>:bull}:<queue>:…`. */
  readonly bullPrefix: string;
  /** Every task, by creation time (for the queue's status). */
  readonly tasks: string;
  /** Task changes, for every instance's pushes (WebSocket, SSE) and to stop a cancelled task's items. */
  readonly changes: string;
  /** The turn being served (FairTurns): one key, read once per item taken, written by a script of its own. */
  readonly turn: string;

  constructor(private readonly prefix: string) {
    this.bullPrefix = `{${prefix}:bull}`;
    this.tasks = `${prefix}:batch:tasks`;
    this.changes = `${prefix}:batch:changes`;
    this.turn = `${prefix}:batch:turn`;
  }

  /** A task's four keys, in the order the scripts take them: its hash, texts, results, and the indexes done. */
  task(id: string): [task: string, texts: string, results: string, done: string] {
    const task = `${this.prefix}:batch:task:{${id}}`;
    return [task, `${task}:texts`, `${task}:results`, `${task}:done`];
  }

  /** A principal's tasks. Principals are tokens' names, kept out of key names all the same. */
  owner(principal: string): string {
    return `${this.prefix}:batch:owner:${createHash('sha256').update(principal).digest('hex').slice(0, 32)}`;
  }
}
