import type { Status } from './protocol.types.ts';

/** The stages that settle the finals before them: asked (querying_rag), no question in them, or ignored while paused. */
const SETTLING: ReadonlyArray<Status['stage']> = ['querying_rag', 'waiting_for_question', 'paused'];

/**
 * Final transcripts sent that the server has not settled yet. It forgets what it heard but had not
 * asked when the connection goes (a question in its wait, an unfinished sentence waiting for the
 * rest), so the next connection says them again, in order. Bounded: the oldest go first.
 */
export class UnsettledFinals {
  private texts: string[] = [];

  constructor(private readonly max: number) {}

  sent(text: string): void {
    this.texts.push(text);
    if (this.texts.length > this.max) this.texts.shift();
  }

  status(stage: Status['stage']): void {
    if (SETTLING.includes(stage)) this.texts = [];
  }

  /** The finals to say again, oldest first; none are kept afterwards (saying them again keeps them anew). */
  take(): string[] {
    return this.texts.splice(0);
  }
}
