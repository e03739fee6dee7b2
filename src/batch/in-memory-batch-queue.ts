import { randomUUID } from 'node:crypto';
import { finalize, Subscription } from 'rxjs';
import { AnswerService } from '../conversation';
import { BatchQueue, ItemResult, NewTask, QueueStatus, ResultsPage, TASK_STATUSES, TaskStatus, TaskView } from './batch-queue';
import { answerItem } from './answer-item';

interface Task {
  view: TaskView;
  principal: string;
  texts: string[];
  conversation: boolean;
  results: ItemResult[];
  inFlight: Map<number, Subscription>;
}

interface Item {
  task: Task;
  index: number;
}

const now = () => new Date().toISOString();
const finished = (status: TaskStatus) => status === 'completed' || status === 'failed' || status === 'cancelled';

/**
 * Tasks in this process's memory, answered BATCH_CONCURRENCY items at a time in the order they came:
 * not durable (a restart loses them) and not shared with other instances. A finished task is
 * forgotten after BATCH_RESULT_TTL_SECONDS.
 */
export class InMemoryBatchQueue extends BatchQueue {
  private readonly tasks = new Map<string, Task>();
  private readonly waiting: Item[] = [];
  private active = 0;

  constructor(
    private readonly answers: AnswerService,
    private readonly options: { concurrency: number; resultTtlMs: number },
  ) {
    super();
  }

  async submit(principal: string, { name, description, texts, conversation }: NewTask): Promise<TaskView> {
    const view: TaskView = {
      task_id: randomUUID(),
      name,
      description: description ?? null,
      status: 'pending',
      progress: { total: texts.length, completed: 0, failed: 0 },
      created_at: now(),
      started_at: null,
      completed_at: null,
      error_message: null,
    };
    const task: Task = { view, principal, texts, conversation, results: [], inFlight: new Map() };
    this.tasks.set(view.task_id, task);
    // One conversation asks its items one after the other: the next is queued when one ends.
    const queued = conversation ? [0] : texts.map((_, index) => index);
    this.waiting.push(...queued.map((index) => ({ task, index })));
    this.pump();
    return { ...view };
  }

  async task(principal: string, id: string): Promise<TaskView | undefined> {
    const task = this.owned(principal, id);
    return task && { ...task.view, progress: { ...task.view.progress } };
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
      for (const subscription of [...task.inFlight.values()]) subscription.unsubscribe();
    }
    return this.task(principal, id);
  }

  async list(principal: string, status?: TaskStatus): Promise<TaskView[]> {
    const views = [...this.tasks.values()].filter((task) => task.principal === principal && (!status || task.view.status === status));
    return views.map((task) => ({ ...task.view, progress: { ...task.view.progress } }));
  }

  async status(): Promise<QueueStatus> {
    const tasks = Object.fromEntries(TASK_STATUSES.map((status) => [status, 0])) as Record<TaskStatus, number>;
    for (const task of this.tasks.values()) tasks[task.view.status]++;
    const waiting = this.waiting.filter((item) => !finished(item.task.view.status)).length;
    return { durable: false, concurrency: this.options.concurrency, waiting, active: this.active, tasks };
  }

  async close(): Promise<void> {
    this.waiting.length = 0;
    for (const task of this.tasks.values()) for (const subscription of [...task.inFlight.values()]) subscription.unsubscribe();
  }

  private owned(principal: string, id: string): Task | undefined {
    const task = this.tasks.get(id);
    return task?.principal === principal ? task : undefined;
  }

  private pump(): void {
    while (this.active < this.options.concurrency) {
      const item = this.waiting.shift();
      if (!item) return;
      if (!finished(item.task.view.status)) this.start(item);
    }
  }

  private start({ task, index }: Item): void {
    const { view } = task;
    if (view.status === 'pending') Object.assign(view, { status: 'running', started_at: now() });
    const sessionId = task.conversation ? `batch:${view.task_id}` : `batch:${view.task_id}:${index}`;
    this.active++;
    const subscription = answerItem(this.answers, task.principal, sessionId, index, task.texts[index])
      .pipe(
        finalize(() => {
          this.active--;
          task.inFlight.delete(index);
          // After the subscriber's own callbacks, not within them.
          queueMicrotask(() => this.pump());
        }),
      )
      .subscribe((result) => this.record(task, result));
    if (!subscription.closed) task.inFlight.set(index, subscription);
  }

  private record(task: Task, result: ItemResult): void {
    const { view } = task;
    if (finished(view.status)) return;
    task.results.push(result);
    if (result.error_code) view.progress.failed++;
    else view.progress.completed++;
    const done = view.progress.completed + view.progress.failed;
    if (done < view.progress.total) {
      if (task.conversation) this.waiting.push({ task, index: result.index + 1 });
      return;
    }
    if (view.progress.completed > 0) this.finish(task, 'completed');
    else this.finish(task, 'failed', `every item failed (the first with ${task.results[0].error_code})`);
  }

  private finish(task: Task, status: TaskStatus, errorMessage?: string): void {
    Object.assign(task.view, { status, completed_at: now(), error_message: errorMessage ?? null });
    setTimeout(() => this.tasks.delete(task.view.task_id), this.options.resultTtlMs).unref();
  }
}
