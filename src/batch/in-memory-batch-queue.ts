import { finalize, Subscription } from 'rxjs';
import { Answers } from '../conversation';
import { BatchConfig } from '../config';
import { Metrics } from '../metrics';
import { BatchQueue } from './batch-queue';
import { ItemResult, NewTask, QueueStatus, ResultsPage, TaskStatus, TaskView } from './batch.types';
import { answerItem, itemSession } from './answer-item';
import { InFlight } from './in-flight';
import { retryDelay, worthRetrying } from './retry-policy';
import { RoundRobin } from './round-robin';
import { allFailed, countByStatus, finished, newTaskView, now } from './task-view';

interface Task {
  view: TaskView;
  principal: string;
  /** Dropped when the task ends: a result keeps its own text, nothing else needs them. */
  texts?: string[];
  app: string;
  conversation: boolean;
  traceparent?: string;
  results: ItemResult[];
  /** Its next item to start, and the end (exclusive) of those that may start now: one at a time in a conversation. */
  next: number;
  ready: number;
}

interface Item {
  task: Task;
  index: number;
  /** Tries made so far. */
  tries: number;
}

type Options = Pick<BatchConfig, 'concurrency' | 'ratePerSecond' | 'attempts' | 'retryDelayMs' | 'resultTtlMs'>;

/**
 * Tasks in this process's memory, answered BATCH_CONCURRENCY items at a time (within BATCH_MAX_SHARE
 * of the answer slots), taken round-robin between principals and between each principal's tasks (a
 * small task is not stuck behind another's large one), at most BATCH_RATE_PER_SECOND started a second: not durable (a restart loses them) and not shared
 * with other instances. A finished task is forgotten after BATCH_RESULT_TTL_SECONDS.
 */
export class InMemoryBatchQueue extends BatchQueue {
  private readonly tasks = new Map<string, Task>();
  /**
   * Tasks with items waiting, by principal, taking turns: an item is a number of its task, so ending
   * a task drops its waiting items in one step, whatever their number.
   */
  private readonly waiting = new RoundRobin<Task>();
  /** Items whose retry backoff is over: they go first. */
  private retries: Item[] = [];
  private readonly inFlight = new InFlight();
  /** Retries waiting for their backoff, and a pump waiting for the rate limit. */
  private readonly timers = new Set<NodeJS.Timeout>();
  private nextStartAt = 0;
  private pumpTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly answers: Answers,
    private readonly options: Options,
    private readonly metrics: Metrics,
  ) {
    super();
  }

  async submit(principal: string, { name, description, texts, app, conversation, options, traceparent }: NewTask): Promise<TaskView> {
    const view = newTaskView(name, description, texts.length, options);
    // One conversation asks its items one after the other: the next is made ready when one ends.
    const task: Task = {
      view,
      principal,
      texts,
      app,
      conversation,
      traceparent,
      results: [],
      next: 0,
      ready: conversation ? 1 : texts.length,
    };
    this.tasks.set(view.task_id, task);
    this.waiting.add(principal, task);
    this.pump();
    return copy(view);
  }

  async task(principal: string, id: string): Promise<TaskView | undefined> {
    const task = this.owned(principal, id);
    return task && copy(task.view);
  }

  async results(principal: string, id: string, offset: number, limit: number): Promise<ResultsPage | undefined> {
    const task = this.owned(principal, id);
    if (!task) return undefined;
    const sorted = [...task.results].sort((a, b) => a.index - b.index);
    return { total: sorted.length, results: sorted.slice(offset, offset + limit) };
  }

  async cancel(principal: string, id: string): Promise<TaskView | undefined> {
    const task = this.owned(principal, id);
    if (!task) return undefined;
    if (!finished(task.view.status)) {
      this.finish(task, 'cancelled');
      this.inFlight.stopTask(id);
    }
    return this.task(principal, id);
  }

  async list(principal: string, status?: TaskStatus): Promise<TaskView[]> {
    const views = [...this.tasks.values()].filter((task) => task.principal === principal && (!status || task.view.status === status));
    return views.map((task) => copy(task.view));
  }

  async status(): Promise<QueueStatus> {
    const tasks = countByStatus([...this.tasks.values()].map((task) => task.view.status));
    let waiting = this.retries.length;
    for (const task of this.waiting) waiting += task.ready - task.next;
    const { concurrency, ratePerSecond } = this.options;
    return { durable: false, concurrency, rate_per_second: ratePerSecond, workers: 1, waiting, active: this.inFlight.size, tasks };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.waiting.clear();
    this.retries = [];
    for (const timer of this.timers) clearTimeout(timer);
    clearTimeout(this.pumpTimer);
    this.inFlight.stopAll();
    this.changes.complete();
  }

  private owned(principal: string, id: string): Task | undefined {
    const task = this.tasks.get(id);
    return task?.principal === principal ? task : undefined;
  }

  private pump(): void {
    if (this.pumpTimer || this.closed) return;
    while (this.inFlight.size < this.options.concurrency && (this.retries.length > 0 || !this.waiting.empty)) {
      const wait = this.nextStartAt - Date.now();
      if (wait > 0) {
        this.pumpTimer = setTimeout(() => {
          this.pumpTimer = undefined;
          this.pump();
        }, wait);
        return;
      }
      const item = this.takeWaiting();
      if (finished(item.task.view.status)) continue;
      this.nextStartAt = Math.max(this.nextStartAt, Date.now()) + 1000 / this.options.ratePerSecond;
      this.start(item);
    }
  }

  private takeWaiting(): Item {
    const retry = this.retries.shift();
    if (retry) return retry;
    const task = this.waiting.next()!;
    const index = task.next++;
    if (task.next >= task.ready) this.waiting.delete(task.principal, task);
    return { task, index, tries: 0 };
  }

  private start(item: Item): void {
    const { task, index } = item;
    const { view } = task;
    if (view.status === 'pending') {
      Object.assign(view, { status: 'running', started_at: now() });
      this.changed(task);
    }
    const sessionId = itemSession(view.task_id, index, task.conversation);
    const subscription = new Subscription();
    const ended = this.inFlight.add(view.task_id, index, () => subscription.unsubscribe());
    subscription.add(
      answerItem(this.answers, task.principal, task.app, sessionId, index, task.texts![index], task.traceparent)
        .pipe(
          finalize(() => {
            ended();
            // After the subscriber's own callbacks, not within them.
            queueMicrotask(() => this.pump());
          }),
        )
        .subscribe((result) => this.settle({ ...item, tries: item.tries + 1 }, result)),
    );
  }

  /** A passing failure is tried again after its backoff while tries remain; anything else is the item's result. */
  private settle(item: Item, result: ItemResult): void {
    if (worthRetrying(result.error_code) && item.tries < this.options.attempts && !this.closed) {
      this.metrics.batchItemTried('retried');
      const timer = setTimeout(
        () => {
          this.timers.delete(timer);
          this.retries.push(item);
          this.pump();
        },
        retryDelay(this.options.retryDelayMs, item.tries),
      );
      this.timers.add(timer);
      return;
    }
    this.record(item.task, result);
  }

  private record(task: Task, result: ItemResult): void {
    const { view } = task;
    if (finished(view.status)) return;
    task.results.push(result);
    this.metrics.batchItemTried(result.error_code ? 'failed' : 'answered');
    if (result.error_code) view.progress.failed++;
    else view.progress.completed++;
    const done = view.progress.completed + view.progress.failed;
    if (done < view.progress.total) {
      if (task.conversation) {
        Object.assign(task, { next: result.index + 1, ready: result.index + 2 });
        this.waiting.add(task.principal, task);
      }
      this.changed(task);
      return;
    }
    if (view.progress.completed > 0) this.finish(task, 'completed');
    else this.finish(task, 'failed', allFailed(task.results[0].error_code!));
  }

  private finish(task: Task, status: TaskStatus, errorMessage?: string): void {
    Object.assign(task.view, { status, completed_at: now(), error_message: errorMessage ?? null });
    // Only what the results need is kept for BATCH_RESULT_TTL_SECONDS.
    task.texts = undefined;
    this.waiting.delete(task.principal, task);
    this.retries = this.retries.filter((item) => item.task !== task);
    this.changed(task);
    setTimeout(() => this.tasks.delete(task.view.task_id), this.options.resultTtlMs).unref();
  }

  private changed(task: Task): void {
    this.changes.next({ principal: task.principal, task: copy(task.view) });
  }
}

function copy(view: TaskView): TaskView {
  return { ...view, progress: { ...view.progress } };
}
