import { Job, Queue, QueueEvents, Worker } from 'bullmq';
import { BatchConfig } from '../config';
import { RedisClient } from '../session';
import { dropWaitingJobs } from './drop-waiting';
import { ITEM_QUEUE } from './redis-batch-keys';

/** Items queued per round trip when a task is submitted. */
const ADD_CHUNK = 1000;
/**
 * A worker holds an item's lock this long, renewed at half of it while it answers: an instance killed
 * mid-answer leaves its items to another within about LOCK_MS + STALLED_CHECK_MS.
 */
const LOCK_MS = 10_000;
const STALLED_CHECK_MS = 5_000;

export interface ItemJob {
  task: string;
  index: number;
  /** The task's span (tracing on): the item's span is its child, on whichever instance answers it. */
  traceparent?: string;
}

export type ItemJobOptions = Pick<BatchConfig, 'concurrency' | 'ratePerSecond' | 'attempts' | 'retryDelayMs' | 'resultTtlMs'>;

export interface ItemJobHandlers {
  /** Answers one item; throws for BullMQ to retry it after its backoff. */
  process(job: Job<ItemJob>, token?: string): Promise<void>;
  /** BullMQ gave up on an item (its tries ran out, or it stalled too often). */
  failedForGood(item: ItemJob, jobId: string, reason: string): void;
  warn(error: Error): void;
}

/**
 * The scheduling of a batch's items on BullMQ: an item per job, in the priority of its turn, taken by this
 * instance's worker (BATCH_CONCURRENCY at a time, BATCH_RATE_PER_SECOND over all instances), retried with
 * exponential backoff, locked while answered. What the items are and what their results do is the caller's.
 */
export class RedisItemJobs {
  private readonly queue: Queue<ItemJob>;
  private readonly worker: Worker<ItemJob>;
  /** Items failed for good by BullMQ itself (stalled too often, Redis errors). */
  private readonly events: QueueEvents;

  constructor(
    private readonly connections: { commands: RedisClient; worker: RedisClient; events: RedisClient },
    prefix: string,
    options: ItemJobOptions,
    handlers: ItemJobHandlers,
  ) {
    this.queue = new Queue<ItemJob>(ITEM_QUEUE, {
      connection: connections.commands,
      prefix,
      defaultJobOptions: {
        attempts: options.attempts,
        // BullMQ's exponential backoff: retryDelayMs, then doubled for each next try.
        backoff: { type: 'exponential', delay: options.retryDelayMs },
        removeOnComplete: true,
        removeOnFail: { age: options.resultTtlMs / 1000 },
      },
    });
    this.worker = new Worker<ItemJob>(ITEM_QUEUE, (job, token) => handlers.process(job, token), {
      connection: connections.worker,
      prefix,
      concurrency: options.concurrency,
      limiter: { max: options.ratePerSecond, duration: 1000 },
      lockDuration: LOCK_MS,
      stalledInterval: STALLED_CHECK_MS,
      maxStalledCount: 2,
    });
    this.events = new QueueEvents(ITEM_QUEUE, { connection: connections.events, prefix });
    const warn = (error: Error) => handlers.warn(error);
    this.queue.on('error', warn);
    this.worker.on('error', warn);
    this.events.on('error', warn);
    this.events.on('failed', ({ jobId, failedReason }) => void this.failed(jobId, failedReason, handlers));
  }

  /** Queues the items `0..count-1` of a task, each with its turn. */
  async add(task: string, count: number, turnOf: (index: number) => number, traceparent?: string): Promise<void> {
    const job = (index: number) => this.job(task, index, turnOf(index), traceparent);
    for (let start = 0; start < count; start += ADD_CHUNK)
      await this.queue.addBulk(Array.from({ length: Math.min(ADD_CHUNK, count - start) }, (_, i) => job(start + i)));
  }

  async addOne(task: string, index: number, turn: number, traceparent?: string): Promise<void> {
    const next = this.job(task, index, turn, traceparent);
    await this.queue.add(next.name, next.data, next.opts);
  }

  /** Items waiting (delayed and prioritized included) and answering, and the workers of every instance. */
  async counts(): Promise<{ waiting: number; active: number; workers: number }> {
    const [counts, workers] = await Promise.all([
      this.queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active'),
      this.queue.getWorkersCount(),
    ]);
    return { waiting: counts.waiting + counts.delayed + counts.prioritized, active: counts.active, workers };
  }

  /** The task's items not started yet leave the queue. */
  async dropWaiting(task: string): Promise<void> {
    await dropWaitingJobs(this.connections.commands, this.queue, task);
  }

  /** Stops taking items, then lets go of BullMQ's queue and events; the connections stay the caller's. */
  async close(): Promise<void> {
    await this.worker.close();
    await Promise.allSettled([this.events.close(), this.queue.close()]);
  }

  private job(task: string, index: number, turn: number, traceparent?: string) {
    // The id makes queueing an item twice (a redo after a crash) a no-op.
    return { name: 'item', data: { task, index, traceparent }, opts: { jobId: `${task}-${index}`, priority: turn } };
  }

  private async failed(jobId: string, reason: string, handlers: ItemJobHandlers): Promise<void> {
    if ((await this.queue.getJobState(jobId).catch(() => undefined)) !== 'failed') return;
    const job = await this.queue.getJob(jobId);
    if (job) handlers.failedForGood(job.data, jobId, reason);
  }
}
