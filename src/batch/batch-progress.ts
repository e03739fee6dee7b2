import type { BatchProgressMessage } from '../protocol';
import { TaskView } from './batch.types';

/** The replaced service's `batch_progress`, for the WebSocket and the task's event stream alike. */
export function batchProgress(task: TaskView): BatchProgressMessage {
  const { total, completed, failed } = task.progress;
  const done = completed + failed;
  return {
    type: 'batch_progress',
    task_id: task.task_id,
    progress: task.status === 'completed' ? 100 : Math.floor((100 * done) / total),
    status: task.status,
    message: describe(task, done),
    timestamp: new Date().toISOString(),
  };
}

function describe({ status, progress: { total, failed }, error_message }: TaskView, done: number): string {
  const failures = failed ? `, ${failed} failed` : '';
  switch (status) {
    case 'pending':
      return `waiting for a worker: ${total} items`;
    case 'running':
      return `${done} of ${total} items done${failures}`;
    case 'completed':
      return `completed: ${total} items done${failures}`;
    case 'cancelled':
      return `cancelled after ${done} of ${total} items`;
    case 'failed':
      return error_message ?? 'failed';
  }
}
