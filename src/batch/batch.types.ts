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
  /** `length`: the answer reached MAX_ANSWER_CHARS, and `content` is what it had there. */
  finish_reason?: 'length';
}

export interface TaskChange {
  principal: string;
  task: TaskView;
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
