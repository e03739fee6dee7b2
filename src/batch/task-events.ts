import type { ServerResponse } from 'node:http';
import { filter, Observable, takeWhile } from 'rxjs';
import { batchProgress } from './batch-progress';
import { TaskStatus, TaskView } from './batch.types';
import { finished } from './task-view';

/** A comment line this often keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

const STAGE: Record<TaskStatus, number> = { pending: 0, running: 1, completed: 2, failed: 2, cancelled: 2 };

/** Whether `next` is further on than `last`: views read and heard may cross, and an older one is no news. */
function newer(last: TaskView | undefined, next: TaskView): boolean {
  if (!last) return true;
  const done = (view: TaskView) => view.progress.completed + view.progress.failed;
  return STAGE[next.status] > STAGE[last.status] || (STAGE[next.status] === STAGE[last.status] && done(next) > done(last));
}

/**
 * Writes a task's views as Server-Sent Events (`event: batch_progress`, the WebSocket message as
 * data) until it ends or the client goes; `stop` is called either way.
 */
export function streamEvents(response: ServerResponse, views: Observable<TaskView>, stop: () => void): void {
  response.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
    // Nginx would otherwise hold the events back in its buffer.
    'X-Accel-Buffering': 'no',
  });
  let last: TaskView | undefined;
  const keepalive = setInterval(() => response.write(': keep-alive\n\n'), KEEPALIVE_MS);
  const subscription = views
    .pipe(
      filter((view) => newer(last, view)),
      takeWhile((view) => !finished(view.status), true),
    )
    .subscribe({
      next: (view) => {
        last = view;
        response.write(`event: batch_progress\ndata: ${JSON.stringify(batchProgress(view))}\n\n`);
      },
      complete: () => response.end(),
    });
  response.once('close', () => {
    clearInterval(keepalive);
    subscription.unsubscribe();
    stop();
  });
}
