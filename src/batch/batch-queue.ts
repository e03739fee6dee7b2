import { filter, map, Observable, share, Subject } from 'rxjs';
import { NewTask, QueueStatus, ResultsPage, TaskChange, TaskStatus, TaskView } from './batch.types';
import { throttledPerTask } from './throttled-per-task';

const UPDATE_INTERVAL_MS = 250;

/**
 * Where batch tasks wait and run. A task belongs to its principal: another principal's task reads as
 * missing (`undefined`) everywhere.
 */
export abstract class BatchQueue {
  /** Every task's changes (started, an item done, ended), wherever they happened. */
  protected readonly changes = new Subject<TaskChange>();

  /** The changes as they are pushed to clients: at most one every 250 ms a task, its end always. */
  readonly updates$: Observable<TaskChange> = this.changes.pipe(throttledPerTask(UPDATE_INTERVAL_MS), share());

  /** One task's updates, from now on. */
  updatesOf(principal: string, id: string): Observable<TaskView> {
    return this.updates$.pipe(
      filter((change) => change.principal === principal && change.task.task_id === id),
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

/** The queue's store failed (its Redis down, not answering or full): the request may be tried again later. */
export class QueueUnavailableError extends Error {}
