import { PassThrough } from 'node:stream';
import type { TaskView } from '../../src/batch';
import { PlainLines, progressReport } from './batch-progress';

const task = (status: TaskView['status'], completed: number, failed: number, total: number): TaskView => ({
  task_id: 't',
  name: 'n',
  description: null,
  status,
  progress: { total, completed, failed },
  created_at: '',
  started_at: null,
  completed_at: null,
  error_message: status === 'failed' ? 'every item failed' : null,
  options: {},
});

describe('the progress report off a terminal', () => {
  it('writes a line each time the percent crosses a multiple of 10, then the outcome', () => {
    const stream = new PassThrough();
    const lines = new PlainLines(stream);
    for (const [completed, failed] of [
      [0, 0],
      [0, 0],
      [1, 0],
      [2, 0],
      [2, 1],
      [7, 1],
      [7, 2],
      [9, 2],
    ])
      lines.update({ total: 11, completed, failed });
    lines.finish(task('completed', 9, 2, 11));
    expect(String(stream.read())).toBe(
      [
        '0% (0 completed, 0 failed of 11)',
        '10% (2 completed, 0 failed of 11)',
        '20% (2 completed, 1 failed of 11)',
        '70% (7 completed, 1 failed of 11)',
        '80% (7 completed, 2 failed of 11)',
        'completed: 9 completed, 2 failed of 11',
        '',
      ].join('\n'),
    );
  });

  it('says why a task failed', () => {
    const stream = new PassThrough();
    new PlainLines(stream).finish(task('failed', 0, 3, 3));
    expect(String(stream.read())).toBe('failed: 0 completed, 3 failed of 3 (every item failed)\n');
  });

  it('is chosen for a stream that is not a terminal', () => {
    expect(progressReport(new PassThrough() as unknown as NodeJS.WriteStream)).toBeInstanceOf(PlainLines);
  });
});
