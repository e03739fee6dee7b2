import { resultResponse, statusResponse, taskResponse } from './api-responses';
import { newTaskView } from './task-view';

describe("the replaced service's fields in the batch API's answers", () => {
  it('progress.percentage counts answered and failed items, 0 of none', () => {
    const view = newTaskView('faq', undefined, 8, { provider: 'context' });
    view.progress = { total: 8, completed: 3, failed: 1 };
    expect(taskResponse(view)).toMatchObject({
      progress: { total: 8, completed: 3, failed: 1, percentage: 50 },
      options: { provider: 'context' },
    });
    expect(taskResponse(newTaskView('none', undefined, 0)).progress.percentage).toBe(0);
    expect(view.progress).toEqual({ total: 8, completed: 3, failed: 1 });
  });

  it('marks a failed item in metadata, and names sources and tokens as it did', () => {
    expect(resultResponse({ index: 0, text: 'q', content: '', sources: [], usage: null, error_code: 'UPSTREAM_TIMEOUT' })).toEqual({
      index: 0,
      text: 'q',
      content: '',
      sources: [],
      usage: null,
      error_code: 'UPSTREAM_TIMEOUT',
      metadata: { provider: 'DifyProvider', error: true, error_code: 'UPSTREAM_TIMEOUT' },
    });
    const answered = resultResponse({
      index: 1,
      text: 'q',
      content: 'a',
      sources: [{ document_name: 'handbook.md', content: 'c' }],
      usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 },
    });
    expect(answered).toMatchObject({
      metadata: { provider: 'DifyProvider' },
      sources: [{ document_name: 'handbook.md', title: 'handbook.md', content: 'c' }],
      usage: { total_tokens: 5, tokens: 5 },
    });
    expect(answered.metadata).not.toHaveProperty('error');
  });

  it("answers the processor's status: the caller's slots left of its open-task cap", () => {
    const status = {
      durable: false,
      concurrency: 4,
      rate_per_second: 20,
      workers: 1,
      waiting: 0,
      active: 2,
      tasks: { pending: 1, running: 2, completed: 5, failed: 1, cancelled: 1 },
    };
    expect(statusResponse(status, 10, 3)).toMatchObject({
      ...status,
      is_running: true,
      max_concurrent: 4,
      queue: { total_tasks: 10, pending: 1, running: 2, max_size: 10, available_slots: 7 },
    });
    expect(statusResponse({ ...status, workers: 0 }, 2, 3)).toMatchObject({ is_running: false, queue: { available_slots: 0 } });
  });
});
