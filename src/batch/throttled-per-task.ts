import { Observable, OperatorFunction } from 'rxjs';
import { TaskView } from './batch.types';
import { finished } from './task-view';

/**
 * A task's changes at most one per `intervalMs`, the latest of each interval, so a task of ten
 * thousand quick items is not ten thousand messages; its end passes at once, never dropped.
 */
export function throttledPerTask<T extends { task: TaskView }>(intervalMs: number): OperatorFunction<T, T> {
  return (changes) =>
    new Observable<T>((subscriber) => {
      /** Tasks in their quiet interval, each with the change that came meanwhile. */
      const quiet = new Map<string, { timer: NodeJS.Timeout; latest?: T }>();
      const hush = (id: string) => {
        const slot: { timer: NodeJS.Timeout; latest?: T } = {
          timer: setTimeout(() => {
            quiet.delete(id);
            if (slot.latest) {
              subscriber.next(slot.latest);
              hush(id);
            }
          }, intervalMs),
        };
        quiet.set(id, slot);
      };
      const subscription = changes.subscribe({
        next: (change) => {
          const id = change.task.task_id;
          const slot = quiet.get(id);
          if (finished(change.task.status)) {
            clearTimeout(slot?.timer);
            quiet.delete(id);
            subscriber.next(change);
          } else if (slot) slot.latest = change;
          else {
            subscriber.next(change);
            hush(id);
          }
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
      return () => {
        subscription.unsubscribe();
        for (const { timer } of quiet.values()) clearTimeout(timer);
      };
    });
}
