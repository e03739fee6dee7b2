export const TASK_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export interface NewTask {
  name: string;
  description?: string;
  texts: string[];
  /** The app (knowledge base) every item asks: checked by AppRegistry when submitted. */
  app: string;
  /** One Dify conversation for the whole task, its items asked in order. */
  conversation: boolean;
  /** The options as submitted, kept for the task's view (`conversation` and any other key). */
  options: TaskOptions;
  /** The W3C traceparent of the task's span (tracing on): its items' spans are its children. */
  traceparent?: string;
}

/** A task's `options` as its client sent them: any object (the replaced service took any). */
export type TaskOptions = Record<string, unknown>;

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
  options: TaskOptions;
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

/** A task as the HTTP API answers it: the view, plus the replaced service's `progress.percentage`. */
export interface TaskResponse extends Omit<TaskView, 'progress'> {
  progress: TaskView['progress'] & { percentage: number };
}

/** An item's result as the HTTP API answers it: plus the replaced service's `metadata`. */
export interface ResultResponse extends ItemResult {
  metadata: { provider: string; error?: true; error_code?: string };
}

/** The queue's status as the HTTP API answers it: plus the replaced service's fields. */
export interface StatusResponse extends QueueStatus {
  /** Some worker takes items. */
  is_running: boolean;
  max_concurrent: number;
  queue: {
    /** Tasks kept, of every status and principal. */
    total_tasks: number;
    pending: number;
    running: number;
    /** Tasks the caller may have pending or running at once (BATCH_MAX_OPEN_TASKS). */
    max_size: number;
    /** Tasks the caller may submit now. */
    available_slots: number;
  };
}
