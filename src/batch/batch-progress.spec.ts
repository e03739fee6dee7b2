import { batchProgress } from './batch-progress';
import { TaskView } from './batch.types';
import { newTaskView } from './task-view';

describe('batchProgress', () => {
  const task = (patch: Partial<TaskView>, completed = 0, failed = 0): TaskView => ({
    ...newTaskView('faq', undefined, 8),
    ...patch,
    progress: { total: 8, completed, failed },
  });

  it("is the replaced service's message: the share done in whole percent, and what it means", () => {
    const message = batchProgress(task({ status: 'running' }, 2, 1));
    expect(message).toMatchObject({ type: 'batch_progress', progress: 37, status: 'running', message: '3 of 8 items done, 1 failed' });
    expect(Object.keys(message).sort()).toEqual(['message', 'progress', 'status', 'task_id', 'timestamp', 'type']);
    expect(message.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('says how each status stands', () => {
    expect(batchProgress(task({ status: 'pending' })).message).toBe('waiting for a worker: 8 items');
    expect(batchProgress(task({ status: 'completed' }, 7, 1))).toMatchObject({
      progress: 100,
      message: 'completed: 8 items done, 1 failed',
    });
    expect(batchProgress(task({ status: 'cancelled' }, 3)).message).toBe('cancelled after 3 of 8 items');
    const failed = task({ status: 'failed', error_message: 'every item failed (the first with UPSTREAM_UNAUTHORIZED)' }, 0, 8);
    expect(batchProgress(failed)).toMatchObject({ progress: 100, message: 'every item failed (the first with UPSTREAM_UNAUTHORIZED)' });
  });
});
