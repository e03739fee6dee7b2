import { ItemResult, QueueStatus, ResultResponse, StatusResponse, TaskResponse, TaskView } from './batch.types';

// The replaced Python service's fields, added beside today's so that its clients and today's both
// find what they read: add, never reshape.

/** What the replaced service named its Dify provider in a result's `metadata.provider`. */
const PROVIDER = 'DifyProvider';

/** `progress.percentage`: the items done, answered or failed, in percent of all (0 for none). */
export function taskResponse(view: TaskView): TaskResponse {
  const { total, completed, failed } = view.progress;
  return { ...view, progress: { ...view.progress, percentage: total === 0 ? 0 : ((completed + failed) / total) * 100 } };
}

/**
 * `metadata` (`error: true` on a failed item, as the replaced service marked one), each source's
 * `title` (its document's name) and the usage's `tokens` (its total).
 */
export function resultResponse(result: ItemResult): ResultResponse {
  const { error_code } = result;
  return {
    ...result,
    sources: result.sources.map((source) => (isRecord(source) ? { ...source, title: source.document_name ?? '' } : source)),
    usage: isRecord(result.usage) ? { ...result.usage, tokens: result.usage.total_tokens ?? 0 } : result.usage,
    metadata: error_code ? { provider: PROVIDER, error: true, error_code } : { provider: PROVIDER },
  };
}

/**
 * `is_running`, `max_concurrent` and `queue{…}`. The replaced service held at most `max_size` tasks
 * of any status; here the cap is on the caller's pending or running tasks, so `max_size` is that cap
 * and `available_slots` what the caller may still submit: a submission is taken while it is above 0.
 */
export function statusResponse(status: QueueStatus, maxOpenTasks: number, callersOpenTasks: number): StatusResponse {
  const { tasks } = status;
  return {
    ...status,
    is_running: status.workers > 0,
    max_concurrent: status.concurrency,
    queue: {
      total_tasks: Object.values(tasks).reduce((sum, count) => sum + count, 0),
      pending: tasks.pending,
      running: tasks.running,
      max_size: maxOpenTasks,
      available_slots: Math.max(0, maxOpenTasks - callersOpenTasks),
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
