/**
 * A batch task's progress on stderr. On a terminal: one bar redrawn in place (cli-progress). Else (a
 * log, a pipe): a plain line each time the percent crosses a multiple of 10, and the final line.
 */
import { Presets, SingleBar } from 'cli-progress';
import type { TaskView } from '../../src/batch';

type Progress = TaskView['progress'];

export interface ProgressReport {
  update(progress: Progress): void;
  /** The task has ended: the bar stays at its last state, followed by the outcome. */
  finish(task: TaskView): void;
}

const done = ({ completed, failed }: Progress) => completed + failed;
const percent = (progress: Progress) => (progress.total ? Math.floor((done(progress) * 100) / progress.total) : 100);
const counts = (progress: Progress) => `${progress.completed} completed, ${progress.failed} failed of ${progress.total}`;
const outcome = (task: TaskView) => `${task.status}: ${counts(task.progress)}${task.error_message ? ` (${task.error_message})` : ''}`;

export function progressReport(stream: NodeJS.WriteStream): ProgressReport {
  return stream.isTTY ? new TerminalBar(stream) : new PlainLines(stream);
}

class TerminalBar implements ProgressReport {
  private readonly bar: SingleBar;
  private started = false;

  constructor(private readonly stream: NodeJS.WriteStream) {
    this.bar = new SingleBar(
      { stream, format: '{bar} {percentage}% | {completed} completed, {failed} failed / {total}' },
      Presets.shades_classic,
    );
  }

  update(progress: Progress): void {
    const payload = { completed: progress.completed, failed: progress.failed };
    if (!this.started) this.bar.start(progress.total, done(progress), payload);
    else this.bar.update(done(progress), payload);
    this.started = true;
  }

  finish(task: TaskView): void {
    this.update(task.progress);
    this.bar.stop();
    this.stream.write(`${outcome(task)}\n`);
  }
}

export class PlainLines implements ProgressReport {
  private decile = -1;

  constructor(private readonly stream: NodeJS.WritableStream) {}

  update(progress: Progress): void {
    const decile = Math.floor(percent(progress) / 10);
    if (decile <= this.decile || decile === 10) return;
    this.decile = decile;
    this.stream.write(`${decile * 10}% (${counts(progress)})\n`);
  }

  finish(task: TaskView): void {
    this.stream.write(`${outcome(task)}\n`);
  }
}
