import { setTimeout as sleep } from 'node:timers/promises';
import { GenerationState, LocalDifyFault } from './local-dify.types';

/** The options that pace a generation; its delays are read anew before every pause (tests change them mid-answer). */
export type Pace = { readonly chunkChars: number; readonly chunkDelayMs: number; readonly firstChunkDelayMs: number };

/** The faults that change what is generated; the others only change what one HTTP reply delivers. */
export type GenerationFault = Extract<LocalDifyFault, { kind: 'error-event' | 'message-replace' | 'endless' }>;

/** `end` when completed or stopped, with the answer as Dify saves it (a stopped one's is what it had); `error` when it failed. */
export type FinalStep = { kind: 'end'; answer: string; latency: number } | { kind: 'error'; status: number; code: string; message: string };

export type GenerationStep = { kind: 'text'; text: string } | { kind: 'replace'; answer: string } | FinalStep;

/**
 * One message's answer, generated on its own clock: a piece every `chunkDelayMs` after
 * `firstChunkDelayMs`, whether or not anybody reads it, as Dify's worker does. It ends completed,
 * failed (an `error-event` fault), or stopped by `stop()` with what it had so far.
 *
 * Readers (`read()`) get every step from the first, so one that fell behind or came late misses
 * nothing. `onEnd` runs before the final step reaches any reader, so whoever sees the end of a
 * stream also finds the message saved.
 */
export class MessageGeneration {
  /** Resolves with the final step once generation ended. */
  readonly ended: Promise<FinalStep>;
  private readonly steps: GenerationStep[] = [];
  private readonly waiting: Array<() => void> = [];
  private readonly halt = new AbortController();
  private answer = '';
  private current: GenerationState = 'running';
  private resolveEnded!: (step: FinalStep) => void;

  constructor(
    answer: string,
    private readonly pace: Pace,
    private readonly fault: GenerationFault | undefined,
    private readonly onEnd: (state: Exclude<GenerationState, 'running'>, step: FinalStep) => void,
  ) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
    void this.run(codePointChunks(answer, pace.chunkChars));
  }

  get state(): GenerationState {
    return this.current;
  }

  /** Ends the generation at once with what it has; a no-op once it ended. */
  stop(): void {
    this.halt.abort();
  }

  /** Every step from the first, waiting for those not generated yet; ends after the final one. */
  async *read(): AsyncGenerator<GenerationStep, void, undefined> {
    for (let next = 0; ; next++) {
      while (next >= this.steps.length) await new Promise<void>((resolve) => this.waiting.push(resolve));
      const step = this.steps[next];
      yield step;
      if (step.kind === 'end' || step.kind === 'error') return;
    }
  }

  private async run(pieces: string[]): Promise<void> {
    const started = Date.now();
    await this.pause(this.pace.firstChunkDelayMs);
    for (const text of this.pieces(pieces)) {
      if (this.halt.signal.aborted) break;
      this.answer += text;
      this.append({ kind: 'text', text });
      await this.pause(this.pace.chunkDelayMs);
    }
    const stopped = this.halt.signal.aborted;
    if (!stopped && this.fault?.kind === 'error-event') {
      const { status = 400, code = 'completion_request_error', message = 'Completion request failed.' } = this.fault;
      return this.finish('failed', { kind: 'error', status, code, message });
    }
    if (!stopped && this.fault?.kind === 'message-replace') {
      this.answer = this.fault.answer;
      this.append({ kind: 'replace', answer: this.answer });
    }
    this.finish(stopped ? 'stopped' : 'completed', { kind: 'end', answer: this.answer, latency: (Date.now() - started) / 1000 });
  }

  /** The answer's pieces: all of them, those before a fault's `afterChunks`, or (`endless`) the same ones over and over. */
  private *pieces(pieces: string[]): Generator<string> {
    const fault = this.fault;
    if (fault?.kind !== 'endless') return yield* pieces.slice(0, fault?.afterChunks);
    while (pieces.length > 0) yield* pieces;
  }

  private finish(state: Exclude<GenerationState, 'running'>, step: FinalStep): void {
    this.current = state;
    try {
      this.onEnd(state, step);
    } finally {
      // Whatever onEnd does, no reader is left waiting.
      this.append(step);
      this.resolveEnded(step);
    }
  }

  private append(step: GenerationStep): void {
    this.steps.push(step);
    for (const wake of this.waiting.splice(0)) wake();
  }

  /** A pause that `stop()` cuts short. */
  private pause(ms: number): Promise<unknown> {
    return sleep(ms, undefined, { signal: this.halt.signal }).catch(() => undefined);
  }
}

/** Splits by code points, so no piece holds half a surrogate pair. */
function codePointChunks(text: string, size: number): string[] {
  const points = Array.from(text);
  return Array.from({ length: Math.ceil(points.length / size) }, (_, i) => points.slice(i * size, (i + 1) * size).join(''));
}
