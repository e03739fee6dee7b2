import { randomUUID } from 'node:crypto';
import { TaskStatus, TaskView } from './batch.types';

export const now = () => new Date().toISOString();

export function finished(status: TaskStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

export function newTaskView(name: string, description: string | undefined, total: number): TaskView {
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
  };
}

/** Why a task whose every item failed ended `failed`. */
export function allFailed(firstErrorCode: string): string {
  return `every item failed (the first with ${firstErrorCode})`;
}
