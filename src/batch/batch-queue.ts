import { filter, map, Observable, Subject } from 'rxjs';

export const TASK_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export interface NewTask {
  name: string;
  description?: string;
  texts: string[];
  /** One Dify conversation for the whole task, its items asked in order. */
  conversation: boolean;
}

/** The task as the API shows it (the replaced service's field names). */
export interface TaskView {
  task_id: string;
  name: string;
  description: string | null;
  status: TaskStatus;
  progress: { total: number; completed: number; failed: number };
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  error_message: string | null;
}

/** One item's answer; a failed item has its error code and no content. */
export interface ItemResult {
  index: number;
  text: string;
  content: string;
  sources: unknown[];
  usage: unknown;
  error_code?: string;
}

export interface ResultsPage {
  /** Results there are so far (finished items), in the order of their index. */
  total: number;
  results: ItemResult[];
}

export interface QueueStatus {
  durable: boolean;
  /** Items this instance answers at once. */
  concurrency: number;
  /** Items started per second at most, over every instance. */
  rate_per_second: number;
  /** Instances taking items from the queue. */
  workers: number;
  /** Items waiting for a worker, and being answered now. */
  waiting: number;
  active: number;
  tasks: Record<TaskStatus, number>;
}

/**
 * Where batch tasks wait and run. A task belongs to its principal: another principal's task reads as
 * missing (`undefined`) everywhere.
 */
export abstract class BatchQueue {
  /** Every task's changes (started, an item done, ended), wherever they happened. */
  protected readonly changes = new Subject<{ principal: string; task: TaskView }>();

  /** The principal's tasks as they change, from now on. */
  changesOf(principal: string): Observable<TaskView> {
    return this.changes.pipe(
      filter((change) => change.principal === principal),
      map((change) => change.task),
    );
  }

  abstract submit(principal: string, task: NewTask): Promise<TaskView>;
  abstract task(principal: string, id: string): Promise<TaskView | undefined>;
  abstract results(principal: string, id: string, offset: number, limit: number): Promise<ResultsPage | undefined>;
  /** Stops the task: waiting items are dropped, items in flight are cancelled upstream. */
  abstract cancel(principal: string, id: string): Promise<TaskView | undefined>;
  abstract list(principal: string, status?: TaskStatus): Promise<TaskView[]>;
  abstract status(): Promise<QueueStatus>;
  /** At shutdown: stops taking items; what is in flight here is cancelled, or left to be redone if durable. */
  abstract close(): Promise<void>;
}
