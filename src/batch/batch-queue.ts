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
  concurrency: number;
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
