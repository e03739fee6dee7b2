import { Subject } from 'rxjs';
import { TaskChange, TaskStatus } from './batch.types';
import { newTaskView } from './task-view';
import { throttledPerTask } from './throttled-per-task';

describe('throttledPerTask', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const a = newTaskView('a', undefined, 10);
  const b = newTaskView('b', undefined, 10);
  const change = (task: typeof a, completed: number, status: TaskStatus = 'running'): TaskChange => ({
    principal: 'p',
    task: { ...task, status, progress: { ...task.progress, completed } },
  });

  function run() {
    const changes = new Subject<TaskChange>();
    const out: string[] = [];
    const subscription = changes
      .pipe(throttledPerTask(250))
      .subscribe(({ task }) => out.push(`${task.name}:${task.progress.completed}:${task.status}`));
    return { changes, out, subscription };
  }

  it("passes a task's first change at once and then the latest of each interval", () => {
    const { changes, out } = run();
    changes.next(change(a, 1));
    changes.next(change(a, 2));
    changes.next(change(a, 3));
    expect(out).toEqual(['a:1:running']);
    jest.advanceTimersByTime(250);
    expect(out).toEqual(['a:1:running', 'a:3:running']);
    jest.advanceTimersByTime(250);
    // Nothing new in that interval: nothing sent, and the next change passes at once.
    expect(out).toHaveLength(2);
    changes.next(change(a, 4));
    expect(out.at(-1)).toBe('a:4:running');
  });

  it('throttles each task on its own', () => {
    const { changes, out } = run();
    changes.next(change(a, 1));
    changes.next(change(b, 1));
    changes.next(change(a, 2));
    expect(out).toEqual(['a:1:running', 'b:1:running']);
  });

  it('passes the end at once, dropping what waited, and sends nothing after', () => {
    const { changes, out } = run();
    changes.next(change(a, 1));
    changes.next(change(a, 2));
    changes.next(change(a, 3, 'completed'));
    expect(out).toEqual(['a:1:running', 'a:3:completed']);
    jest.advanceTimersByTime(1000);
    expect(out).toHaveLength(2);
  });

  it('clears its timers when unsubscribed', () => {
    const { changes, subscription } = run();
    changes.next(change(a, 1));
    changes.next(change(a, 2));
    subscription.unsubscribe();
    expect(jest.getTimerCount()).toBe(0);
  });
});
