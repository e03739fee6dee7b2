import { randomUUID } from 'node:crypto';
import { TASK_STATUSES, TaskOptions, TaskStatus, TaskView } from './batch.types';

export const now = () => new Date().toISOString();

export function finished(status: TaskStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

export function newTaskView(name: string, description: string | undefined, total: number, options: TaskOptions = {}): TaskView {
  return {
    task_id: randomUUID(),
    name,
    description: description ?? null,
    status: 'pending',
    progress: { total, completed: 0, failed: 0 },
    created_at: now(),
    started_at: null,
    completed_at: null,
    error_message: null,
    options,
  };
}

/** How many of `statuses` there are of each status, every status counted (0 too). */
export function countByStatus(statuses: Iterable<TaskStatus>): Record<TaskStatus, number> {
  const counts = Object.fromEntries(TASK_STATUSES.map((status) => [status, 0])) as Record<TaskStatus, number>;
  for (const status of statuses) counts[status]++;
  return counts;
}

/** Why a task whose every item failed ended `failed`. */
export function allFailed(firstErrorCode: string): string {
  return `every item failed (the first with ${firstErrorCode})`;
}
