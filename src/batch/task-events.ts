import type { ServerResponse } from 'node:http';
import { filter, Observable, takeWhile } from 'rxjs';
import { batchProgress } from './batch-progress';
import { TaskStatus, TaskView } from './batch.types';
import { finished } from './task-view';

/**
 * This often the stream checks that its task is still there (an expired or lost one is said and the
 * stream ends), and sends a comment line that keeps proxies from closing a quiet stream.
 */
const CHECK_MS = 5_000;

const STAGE: Record<TaskStatus, number> = { pending: 0, running: 1, completed: 2, failed: 2, cancelled: 2 };

/** Whether `next` is further on than `last`: views read and heard may cross, and an older one is no news. */
function newer(last: TaskView | undefined, next: TaskView): boolean {
  if (!last) return true;
  const done = (view: TaskView) => view.progress.completed + view.progress.failed;
  return STAGE[next.status] > STAGE[last.status] || (STAGE[next.status] === STAGE[last.status] && done(next) > done(last));
}

export interface StreamedTask {
  id: string;
  /** Its views: the one now, then its changes. */
  views: Observable<TaskView>;
  /** Whether it is still there; a failure to tell (Redis away) is no news. */
  exists: () => Promise<boolean>;
}

/**
 * Writes a task's views as Server-Sent Events (`event: batch_progress`, the WebSocket message as
 * data) until it ends or the client goes. A task that is gone meanwhile (expired, deleted, lost with
 * its Redis) gets a last `event: task_gone` and the stream ends. `stop` is called either way.
 */
export function streamEvents(response: ServerResponse, { id, views, exists }: StreamedTask, stop: () => void): void {
  response.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
    // Nginx would otherwise hold the events back in its buffer.
    'X-Accel-Buffering': 'no',
  });
  let last: TaskView | undefined;
  const check = setInterval(() => {
    exists().then(
      (there) => {
        if (response.writableEnded) return;
        if (there) response.write(': keep-alive\n\n');
        else response.end(`event: task_gone\ndata: ${JSON.stringify(taskGone(id))}\n\n`);
      },
      () => {
        if (!response.writableEnded) response.write(': keep-alive\n\n');
      },
    );
  }, CHECK_MS);
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
    clearInterval(check);
    subscription.unsubscribe();
    stop();
  });
}

function taskGone(id: string) {
  return {
    type: 'task_gone',
    task_id: id,
    message: 'the task is gone: it expired, or was lost with the queue (a Redis restarted without persistence)',
  };
}
