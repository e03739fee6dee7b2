import { NEVER, Observable, of } from 'rxjs';
import type { AnswerEvent, Answers } from '../conversation';
import type { Metrics } from '../metrics';
import { InMemoryBatchQueue } from './in-memory-batch-queue';

/** Answers the texts named in `quick` at once; every other one never ends (in flight until stopped). */
function answers(quick: Set<string>): Answers {
  return {
    answer: (text: string): Observable<AnswerEvent> =>
      quick.has(text) ? of({ text: `answer to ${text}` } as AnswerEvent, { end: true, sources: [] } as unknown as AnswerEvent) : NEVER,
  } as unknown as Answers;
}
const metrics = { batchItemTried: () => undefined } as unknown as Metrics;
const options = { concurrency: 2, ratePerSecond: 100_000, attempts: 1, retryDelayMs: 1, resultTtlMs: 60_000 };

/** What the queue holds of a task: read from its insides, what a heap would keep. */
const held = (queue: InMemoryBatchQueue, id: string) =>
  (queue as unknown as { tasks: Map<string, { texts?: string[]; results: unknown[] }> }).tasks.get(id)!;

/** Waits for the queue to get there (its pump runs on later turns); the test's timeout fails it otherwise. */
async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('InMemoryBatchQueue', () => {
  let queue: InMemoryBatchQueue;
  afterEach(() => queue.close());

  it('drops every waiting item of a cancelled task at once and keeps only the results of its answered items', async () => {
    queue = new InMemoryBatchQueue(answers(new Set(['quick 0', 'quick 1'])), options, metrics);
    const texts = ['quick 0', 'quick 1', ...Array.from({ length: 10_000 }, (_, i) => `slow ${i}`)];
    const { task_id: id } = await queue.submit('acme', { name: 'big', texts, app: 'hr', conversation: false, options: {} });
    // The two quick ones answered, two slow ones in flight, the rest waiting.
    await until(async () => (await queue.task('acme', id))?.progress.completed === 2 && (await queue.status()).active === 2);
    expect(await queue.status()).toMatchObject({ waiting: 10_000 - 2, active: 2 });

    expect(await queue.cancel('acme', id)).toMatchObject({ status: 'cancelled' });
    expect(await queue.status()).toMatchObject({ waiting: 0, active: 0, tasks: { cancelled: 1 } });
    expect(held(queue, id).texts).toBeUndefined();
    expect((await queue.results('acme', id, 0, 10))?.results.map((r) => [r.index, r.text])).toEqual([
      [0, 'quick 0'],
      [1, 'quick 1'],
    ]);
  });

  it('lets go of the texts of a task that completed, its results kept', async () => {
    queue = new InMemoryBatchQueue(answers(new Set(['a', 'b'])), options, metrics);
    const { task_id: id } = await queue.submit('acme', { name: 'done', texts: ['a', 'b'], app: 'hr', conversation: true, options: {} });
    await until(async () => (await queue.task('acme', id))?.status === 'completed');
    expect(await queue.task('acme', id)).toMatchObject({ progress: { completed: 2 } });
    expect(held(queue, id).texts).toBeUndefined();
    expect((await queue.results('acme', id, 0, 10))?.total).toBe(2);
  });

  it('starts the items of tasks in the order they came, another task after the first one is cancelled', async () => {
    queue = new InMemoryBatchQueue(answers(new Set()), { ...options, concurrency: 1 }, metrics);
    const first = await queue.submit('acme', { name: 'one', texts: ['x', 'y'], app: 'hr', conversation: false, options: {} });
    const second = await queue.submit('acme', { name: 'two', texts: ['z'], app: 'hr', conversation: false, options: {} });
    expect(await queue.task('acme', second.task_id)).toMatchObject({ status: 'pending' });
    await queue.cancel('acme', first.task_id);
    await until(async () => (await queue.task('acme', second.task_id))?.status === 'running');
    expect(await queue.status()).toMatchObject({ waiting: 0, active: 1 });
  });

  it("answers a principal's small task between the items of another's large one, not after them", async () => {
    const asked: string[] = [];
    const recording = {
      answer: (text: string) => {
        asked.push(text);
        return of({ text: 'ok' } as AnswerEvent, { end: true, sources: [] } as unknown as AnswerEvent);
      },
    } as unknown as Answers;
    queue = new InMemoryBatchQueue(recording, { ...options, concurrency: 1 }, metrics);
    const large = await queue.submit('a', {
      name: 'large',
      texts: Array.from({ length: 2000 }, (_, i) => `a${i}`),
      conversation: false,
      options: {},
      app: 'default',
    });
    const own = await queue.submit('a', { name: 'second', texts: ['a-second'], conversation: false, options: {}, app: 'default' });
    const small = await queue.submit('b', {
      name: 'small',
      texts: ['b0', 'b1', 'b2', 'b3', 'b4'],
      conversation: false,
      options: {},
      app: 'default',
    });
    await until(async () => (await queue.task('b', small.task_id))?.status === 'completed');
    // B's five items took every other turn: few of A's went before B's task was done.
    expect((await queue.task('a', large.task_id))!.progress.completed).toBeLessThan(20);
    const b = asked.filter((text) => text.startsWith('b'));
    expect(b).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
    expect(asked.indexOf('b4')).toBeLessThan(20);
    // And A's own second task took turns with its large one.
    expect(asked.indexOf('a-second')).toBeLessThan(20);
    await queue.cancel('a', large.task_id);
    await queue.cancel('a', own.task_id);
  });
});
