import { Logger } from '@nestjs/common';
import { Job, WaitingError } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';
import { Answers } from '../conversation';
import { RedisConnectionConfig } from '../config';
import { RedisClient, RedisConnections } from '../session';
import { Metrics } from '../metrics';
import { BatchQueue } from './batch-queue';
import { ItemResult, NewTask, QueueStatus, ResultsPage, TaskStatus, TaskView } from './batch.types';
import { answerItem, failedItem, itemSession } from './answer-item';
import { FairTurns } from './fair-turns';
import { InFlight } from './in-flight';
import { redisPersists, sayWhetherDurable } from './redis-durability';
import { unavailableIfRedis, unavailableIfRedisFails } from './redis-failure';
import { BatchKeys } from './redis-batch-keys';
import { ItemContext, RedisTaskStore } from './redis-task-store';
import { ItemJob, ItemJobOptions, RedisItemJobs } from './redis-item-jobs';
import { worthRetrying } from './retry-policy';
import { countByStatus, finished, newTaskView } from './task-view';

/** How long shutdown waits for BullMQ to let go of its jobs and connections. */
const CLOSE_WAIT_MS = 2_000;

/** Thrown so BullMQ asks the item again after its backoff. */
class PassingFailure extends Error {}

/**
 * Tasks on BullMQ in Redis, shared by every instance: each item is a durable job, answered by any
 * instance's worker (BATCH_CONCURRENCY at a time each, BATCH_RATE_PER_SECOND over all of them), in
 * turns shared between principals and their tasks (FairTurns: a priority per item).
 * An item Dify turns away for a while (rate limited, busy, unreachable) is retried with exponential
 * backoff; an item whose instance dies is taken up by another once its lock lapses. A task with
 * `conversation` queues its next item when one ends, so its items go one after the other.
 */
export class RedisBatchQueue extends BatchQueue {
  private readonly logger = new Logger('Batch');
  private readonly jobs: RedisItemJobs;
  private readonly inFlight = new InFlight();
  private readonly turns: FairTurns;
  private closing = false;

  /** Connects to Redis: commands, pub/sub, and the blocking reads of the worker and of BullMQ's events. */
  static connect(config: RedisConnectionConfig, answers: Answers, options: ItemJobOptions, metrics: Metrics): RedisBatchQueue {
    const redis = new RedisConnections(config);
    const keys = new BatchKeys(config.keyPrefix);
    const commands = redis.open({ maxRetriesPerRequest: 1 });
    // BullMQ's blocking connections wait for Redis however long it is away.
    const blocking = () => redis.open({ maxRetriesPerRequest: null });
    const connections = { commands, subscriber: redis.open({ maxRetriesPerRequest: 1 }), worker: blocking(), events: blocking() };
    const store = new RedisTaskStore(commands, keys, Math.ceil(options.resultTtlMs / 1000));
    return new RedisBatchQueue(answers, store, keys, connections, options, metrics);
  }

  constructor(
    private readonly answers: Answers,
    private readonly store: RedisTaskStore,
    private readonly keys: BatchKeys,
    private readonly connections: { commands: RedisClient; subscriber: RedisClient; worker: RedisClient; events: RedisClient },
    private readonly options: ItemJobOptions,
    private readonly metrics: Metrics,
  ) {
    super();
    this.turns = new FairTurns(connections.commands, keys.turn);
    const warn = (error: Error) => this.logger.warn(`batch queue: ${error.message}`);
    this.jobs = new RedisItemJobs(connections, keys.bullPrefix, options, {
      process: (job, token) => this.process(job, token),
      failedForGood: (item, jobId, reason) => void this.failedForGood(item, jobId, reason),
      warn,
    });
    connections.commands.on('error', warn);
    // The same outage, said once above (and by BullMQ's own 'error' events).
    for (const redis of [connections.subscriber, connections.worker, connections.events]) redis.on('error', () => undefined);
    connections.subscriber.on('message', (_channel: string, message: string) => this.heard(message));
    void connections.subscriber.subscribe(this.keys.changes).catch((error: Error) => this.logger.warn(`batch changes: ${error.message}`));
    void sayWhetherDurable(connections.commands, this.logger);
  }

  async submit(principal: string, { name, description, texts, app, conversation, options, traceparent }: NewTask): Promise<TaskView> {
    const view = newTaskView(name, description, texts.length, options);
    const id = view.task_id;
    await unavailableIfRedisFails(this.store.create(principal, view, texts, app, conversation));
    try {
      const [from, open] = await Promise.all([this.turns.current(), this.openTasks(principal)]);
      await this.jobs.add(id, conversation ? 1 : texts.length, (index) => FairTurns.of(from, index, open), traceparent);
      await this.store.queued(id);
    } catch (error) {
      // Never left pending: taken back whole (or, with Redis away, gone when its queueing time lapses).
      await this.store.discard(principal, id).catch(() => undefined);
      void this.dropWaiting(id);
      throw unavailableIfRedis(error);
    }
    return view;
  }

  task(principal: string, id: string): Promise<TaskView | undefined> {
    return unavailableIfRedisFails(this.owned(principal, id));
  }

  async results(principal: string, id: string, offset: number, limit: number): Promise<ResultsPage | undefined> {
    if (!(await this.task(principal, id))) return undefined;
    return unavailableIfRedisFails(this.store.page(id, offset, limit));
  }

  cancel(principal: string, id: string): Promise<TaskView | undefined> {
    return unavailableIfRedisFails(this.cancelOwned(principal, id));
  }

  async list(principal: string, status?: TaskStatus): Promise<TaskView[]> {
    return (await unavailableIfRedisFails(this.store.list(principal))).filter((view) => !status || view.status === status);
  }

  async status(): Promise<QueueStatus> {
    const [{ waiting, active, workers }, statuses, durable] = await unavailableIfRedisFails(
      Promise.all([this.jobs.counts(), this.store.statuses(), redisPersists(this.connections.commands)]),
    );
    return {
      durable,
      concurrency: this.options.concurrency,
      rate_per_second: this.options.ratePerSecond,
      workers,
      waiting,
      active,
      tasks: countByStatus(statuses),
    };
  }

  /** Stops taking items; the items in flight here go back to the queue, for another instance or the next start. */
  async close(): Promise<void> {
    this.closing = true;
    this.inFlight.stopAll();
    const graceful = async () => {
      await this.jobs.close();
      await Promise.allSettled(Object.values(this.connections).map((redis) => redis.quit()));
    };
    // With Redis gone or hung, none of that ends: the connections are dropped after CLOSE_WAIT_MS.
    await Promise.race([graceful().catch(() => undefined), sleep(CLOSE_WAIT_MS, undefined, { ref: false })]);
    for (const redis of Object.values(this.connections)) redis.disconnect();
    this.changes.complete();
  }

  private async owned(principal: string, id: string): Promise<TaskView | undefined> {
    const task = await this.store.get(id);
    return task?.principal === principal ? task.view : undefined;
  }

  private async cancelOwned(principal: string, id: string): Promise<TaskView | undefined> {
    const view = await this.owned(principal, id);
    if (!view) return undefined;
    // Its texts are deleted with it; the waiting items are dropped here, and every instance stops its
    // items in flight of the task when it hears.
    if (await this.store.end(id, 'cancelled')) {
      await this.publish(id);
      await this.dropWaiting(id);
    }
    return this.owned(principal, id);
  }

  /** The principal's tasks pending or running, this one included (each of its tasks takes a turn in that many). */
  private async openTasks(principal: string): Promise<number> {
    return (await this.store.list(principal)).filter((view) => !finished(view.status)).length;
  }

  private async process(job: Job<ItemJob>, token?: string): Promise<void> {
    const { task: id, index } = job.data;
    const item = await this.store.item(id, index);
    if (!item || finished(item.status)) return;
    await this.turns.served(job.priority);
    if (!item.answered) {
      if (item.status === 'pending' && (await this.store.start(id))) await this.publish(id);
      const result = await this.answer(id, index, item, job.data.traceparent);
      if (result === 'stopped') {
        if (!this.closing) return;
        // Back to the head of the queue, the try not counted: this instance is stopping.
        await job.moveToWait(token);
        throw new WaitingError();
      }
      if (worthRetrying(result.error_code) && job.attemptsMade + 1 < this.options.attempts) {
        this.metrics.batchItemTried('retried');
        throw new PassingFailure(result.error_code);
      }
      if (!(await this.count(id, result))) return;
    }
    if (item.conversation && index + 1 < item.total) {
      // A conversation's next item is its task's next turn.
      await this.jobs.addOne(id, index + 1, FairTurns.of(await this.turns.current(), 0, 1), job.data.traceparent);
    }
  }

  /** The item's answer, or 'stopped' when the task was cancelled or this instance stops. */
  private answer(id: string, index: number, item: ItemContext, traceparent?: string): Promise<ItemResult | 'stopped'> {
    return new Promise<ItemResult | 'stopped'>((resolve) => {
      const session = itemSession(id, index, item.conversation);
      const answering = answerItem(this.answers, item.principal, item.app, session, index, item.text, traceparent);
      const subscription = answering.subscribe({ next: resolve, complete: () => resolve('stopped') });
      const ended = this.inFlight.add(id, index, () => {
        subscription.unsubscribe();
        resolve('stopped');
      });
      subscription.add(ended);
    });
  }

  /** BullMQ gave up on an item (its tries ran out with Redis failing, or it stalled too often): it counts as failed. */
  private async failedForGood({ task, index }: ItemJob, jobId: string, reason: string): Promise<void> {
    const item = await this.store.item(task, index);
    if (!item) return;
    this.logger.warn(`batch item ${jobId} failed for good: ${reason}`);
    await this.count(task, failedItem(index, item.text, 'SERVER_ERROR'));
  }

  /** Records the item's result and tells every instance; false when it did not count (the task had ended, or it was in already). */
  private async count(id: string, result: ItemResult): Promise<boolean> {
    if (!(await this.store.record(id, result))) return false;
    this.metrics.batchItemTried(result.error_code ? 'failed' : 'answered');
    await this.publish(id);
    return true;
  }

  /** The task's items not started yet leave the queue; one retrying (delayed) finds its task ended and is a no-op. */
  private async dropWaiting(id: string): Promise<void> {
    await this.jobs.dropWaiting(id).catch((error: Error) => this.logger.warn(`batch queue: ${error.message}`));
  }

  private async publish(id: string): Promise<void> {
    const task = await this.store.get(id);
    if (task) await this.connections.commands.publish(this.keys.changes, JSON.stringify({ principal: task.principal, task: task.view }));
  }

  private heard(message: string): void {
    const change = JSON.parse(message) as { principal: string; task: TaskView };
    if (change.task.status === 'cancelled') this.inFlight.stopTask(change.task.task_id);
    this.changes.next(change);
  }
}
