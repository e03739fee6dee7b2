import { DEFAULT_APP_NAME } from '../config';
import { RedisClient, repliesOf } from '../session';
import { BatchKeys } from './redis-batch-keys';
import { ItemResult, ResultsPage, TaskOptions, TaskStatus, TaskView } from './batch.types';
import { allFailed, now } from './task-view';

/**
 * A task being queued lives this long unless its queueing ends: one whose queueing failed and could
 * not be taken back (Redis down) does not stay pending, counted against its principal, for ever.
 */
const QUEUEING_SECONDS = 600;
/** Texts written to Redis per command, and ids per ZREM: arguments of a call are not unbounded. */
const CHUNK = 1000;

// The scripts make each change one step, whichever instance makes it: an item's result counts once
// however often it is redone, and a task ends once.
const START = `
if redis.call('HGET', KEYS[1], 'status') ~= 'pending' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'running', 'started_at', ARGV[1])
return 1`;

/** ARGV: index, result JSON, 'completed' or 'failed', error code, now, TTL in seconds. Returns 1 when counted. */
const RECORD = `
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'pending' and status ~= 'running' then return 0 end
if redis.call('HSETNX', KEYS[3], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('ZADD', KEYS[4], ARGV[1], ARGV[1])
redis.call('HINCRBY', KEYS[1], ARGV[3], 1)
if ARGV[3] == 'failed' then redis.call('HSETNX', KEYS[1], 'first_error', ARGV[4]) end
local counts = redis.call('HMGET', KEYS[1], 'total', 'completed', 'failed')
local completed = tonumber(counts[2] or '0')
if completed + tonumber(counts[3] or '0') < tonumber(counts[1]) then return 1 end
redis.call('HSET', KEYS[1], 'status', completed > 0 and 'completed' or 'failed', 'completed_at', ARGV[5])
redis.call('DEL', KEYS[2])
for i = 1, 4 do redis.call('EXPIRE', KEYS[i], ARGV[6]) end
return 1`;

/** ARGV: the status it ends with, its error message, now, TTL in seconds. Returns 1 when it ended it. */
const END = `
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'pending' and status ~= 'running' then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'error_message', ARGV[2], 'completed_at', ARGV[3])
redis.call('DEL', KEYS[2])
for i = 1, 4 do redis.call('EXPIRE', KEYS[i], ARGV[4]) end
return 1`;

/** A task whose items are all queued stays until it ends (it had QUEUEING_SECONDS); an ended one has its TTL already. */
const QUEUED = `
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'pending' and status ~= 'running' then return 0 end
redis.call('PERSIST', KEYS[1])
redis.call('PERSIST', KEYS[2])
return 1`;

type Scripted = RedisClient & {
  batchStart(...args: string[]): Promise<number>;
  batchRecord(...args: string[]): Promise<number>;
  batchEnd(...args: string[]): Promise<number>;
  batchQueued(...args: string[]): Promise<number>;
};

/** What a worker needs to answer an item. */
export interface ItemContext {
  principal: string;
  app: string;
  status: TaskStatus;
  conversation: boolean;
  total: number;
  text: string;
  /** Its result is in already (a redo after a crash between the answer and the job's end). */
  answered: boolean;
}

/**
 * Batch tasks in Redis, shared by every instance: a hash per task (its view, its principal), its
 * texts, its results by index. A finished task expires after BATCH_RESULT_TTL_SECONDS; the indexes of
 * tasks (all, and a principal's) drop expired ones when next read.
 */
export class RedisTaskStore {
  private readonly redis: Scripted;

  constructor(
    redis: RedisClient,
    private readonly keys: BatchKeys,
    private readonly ttlSeconds: number,
  ) {
    redis.defineCommand('batchStart', { numberOfKeys: 1, lua: START });
    redis.defineCommand('batchRecord', { numberOfKeys: 4, lua: RECORD });
    redis.defineCommand('batchEnd', { numberOfKeys: 4, lua: END });
    redis.defineCommand('batchQueued', { numberOfKeys: 2, lua: QUEUED });
    this.redis = redis as Scripted;
  }

  /** A new task, for QUEUEING_SECONDS unless `queued` says its items are all in the queue. */
  async create(principal: string, view: TaskView, texts: string[], app: string, conversation: boolean): Promise<void> {
    const [task, textsKey] = this.keys.task(view.task_id);
    const created = Date.parse(view.created_at);
    // The task's own keys in one transaction (one slot); the indexes, in slots of their own, beside it.
    const multi = this.redis.multi();
    for (let start = 0; start < texts.length; start += CHUNK) multi.rpush(textsKey, ...texts.slice(start, start + CHUNK));
    const indexed = Promise.all([
      this.redis.zadd(this.keys.owner(principal), created, view.task_id),
      this.redis.zadd(this.keys.tasks, created, view.task_id),
    ]);
    await multi
      .expire(textsKey, QUEUEING_SECONDS)
      .hset(task, {
        principal,
        app,
        name: view.name,
        description: view.description ?? '',
        status: view.status,
        total: view.progress.total,
        completed: 0,
        failed: 0,
        created_at: view.created_at,
        conversation: conversation ? 1 : 0,
        options: JSON.stringify(view.options),
      })
      .expire(task, QUEUEING_SECONDS)
      .exec();
    await indexed;
  }

  async queued(id: string): Promise<void> {
    await this.redis.batchQueued(...this.keys.task(id).slice(0, 2));
  }

  /** Takes back a task that could not be queued: nothing of it stays (these commands work on a full Redis too). */
  async discard(principal: string, id: string): Promise<void> {
    await Promise.all([
      this.redis.del(...this.keys.task(id)),
      this.redis.zrem(this.keys.owner(principal), id),
      this.redis.zrem(this.keys.tasks, id),
    ]);
  }

  /** The task and its principal, or undefined once it expired. */
  async get(id: string): Promise<{ principal: string; view: TaskView } | undefined> {
    const hash = await this.redis.hgetall(this.keys.task(id)[0]);
    return hash.principal === undefined ? undefined : { principal: hash.principal, view: toView(id, hash) };
  }

  async item(id: string, index: number): Promise<ItemContext | undefined> {
    const [task, texts, results] = this.keys.task(id);
    const replies = await this.redis
      .pipeline()
      .hmget(task, 'principal', 'status', 'conversation', 'total', 'app')
      .lindex(texts, index)
      .hexists(results, String(index))
      .exec();
    const [[principal, status, conversation, total, app], text, answered] = repliesOf(replies) as [
      Array<string | null>,
      string | null,
      number,
    ];
    if (principal === null || text === null) return undefined;
    return {
      principal,
      // A task queued before apps existed was the one app's.
      app: app ?? DEFAULT_APP_NAME,
      status: status as TaskStatus,
      conversation: conversation === '1',
      total: Number(total),
      text,
      answered: answered === 1,
    };
  }

  /** Returns whether this moved the task from pending to running. */
  async start(id: string): Promise<boolean> {
    return (await this.redis.batchStart(this.keys.task(id)[0], now())) === 1;
  }

  /** Returns whether the result counted (not when the task had ended, or the item was counted already). */
  async record(id: string, result: ItemResult): Promise<boolean> {
    const outcome = result.error_code ? 'failed' : 'completed';
    const args = [String(result.index), JSON.stringify(result), outcome, result.error_code ?? '', now(), String(this.ttlSeconds)];
    return (await this.redis.batchRecord(...this.keys.task(id), ...args)) === 1;
  }

  /** Ends a pending or running task (cancelled, or failed with the reason); returns whether it did. */
  async end(id: string, status: 'cancelled' | 'failed', errorMessage = ''): Promise<boolean> {
    return (await this.redis.batchEnd(...this.keys.task(id), status, errorMessage, now(), String(this.ttlSeconds))) === 1;
  }

  async page(id: string, offset: number, limit: number): Promise<ResultsPage> {
    const [, , results, done] = this.keys.task(id);
    const [indexes, total] = await Promise.all([this.redis.zrange(done, offset, offset + limit - 1), this.redis.zcard(done)]);
    const values = indexes.length ? await this.redis.hmget(results, ...indexes) : [];
    return { total, results: values.filter((value) => value !== null).map((value) => JSON.parse(value) as ItemResult) };
  }

  /** The principal's tasks, oldest first. */
  async list(principal: string): Promise<TaskView[]> {
    return (await this.existing(this.keys.owner(principal))).map(({ id, hash }) => toView(id, hash));
  }

  async statuses(): Promise<TaskStatus[]> {
    return (await this.existing(this.keys.tasks)).map(({ hash }) => hash.status as TaskStatus);
  }

  /** The tasks an index names that have not expired; the expired leave the index. */
  private async existing(index: string): Promise<Array<{ id: string; hash: Record<string, string> }>> {
    const ids = await this.redis.zrange(index, 0, -1);
    // Sent together, answered in order; not one pipeline: on a Cluster each task's hash has its own slot.
    const hashes = await Promise.all(ids.map((id) => this.redis.hgetall(this.keys.task(id)[0])));
    const tasks = ids.map((id, i) => ({ id, hash: hashes[i] }));
    const expired = tasks.filter(({ hash }) => hash.principal === undefined).map(({ id }) => id);
    for (let start = 0; start < expired.length; start += CHUNK) await this.redis.zrem(index, ...expired.slice(start, start + CHUNK));
    return tasks.filter(({ hash }) => hash.principal !== undefined);
  }
}

function toView(id: string, hash: Record<string, string>): TaskView {
  const status = hash.status as TaskStatus;
  return {
    task_id: id,
    name: hash.name,
    description: hash.description || null,
    status,
    progress: { total: Number(hash.total), completed: Number(hash.completed), failed: Number(hash.failed) },
    created_at: hash.created_at,
    started_at: hash.started_at ?? null,
    completed_at: hash.completed_at ?? null,
    error_message: hash.error_message || (status === 'failed' && hash.first_error ? allFailed(hash.first_error) : null),
    // Tasks stored before options were kept have none.
    options: hash.options ? (JSON.parse(hash.options) as TaskOptions) : {},
  };
}
