import { TurnConfig } from '../config';
import { joinUtterances, keepEnd } from './utterance-text';

/** The detector's verdict on a final utterance, as hearing uses it. */
export interface Verdict {
  isQuestion: boolean;
  /** It stops mid-sentence ("关于年假"): what the speaker says next belongs to it. */
  unfinished: boolean;
  /** "嗯", "ok": keeps the conversation going, joins no question, interrupts nothing. */
  backchannel: boolean;
}

export interface HearingDeps {
  detect: (text: string) => Verdict;
  turn: Pick<TurnConfig, 'waitMs' | 'punctuatedWaitMs' | 'maxQuestionChars'>;
  now: () => number;
}

/** What hearing tells the conversation it listens for. */
export interface HearingListener {
  /** A question was heard and the speaker stopped: ask it. */
  question(text: string): void;
  /** A final that asks nothing: small talk, a lead-in, a backchannel while no question waits. */
  nothingAsked(): void;
}

/** A final heard this soon after an unfinished one continues its sentence ("关于年假" … "有几天"). */
const SAME_SENTENCE_MS = 1500;

/**
 * From transcript to questions: joins a sentence the speaker left unfinished to what follows it,
 * waits a moment after a question in case the speaker goes on (partials restart the wait; what
 * follows joins the question), and then hands the question on. What it holds, joins and scores is
 * capped (MAX_QUESTION_CHARS, keeping the end), so a speaker who never finishes a sentence costs the
 * same on every message, however long they go on.
 */
export class Hearing {
  /** The latest final utterance, for instant_query and for a sentence its successor continues. */
  private lastFinal?: { text: string; at: number; unfinished: boolean };
  /** A question heard, waiting a moment in case the speaker goes on. */
  private pending?: { text: string; timer?: NodeJS.Timeout };

  constructor(
    private readonly deps: HearingDeps,
    private readonly listener: HearingListener,
  ) {}

  /** Whether a question waits to be asked. */
  get waiting(): boolean {
    return this.pending !== undefined;
  }

  /** Partials never reach Dify; while a question waits, one with words means the speaker goes on. */
  partial(text: string): void {
    if (this.pending && text.trim()) this.schedule(this.pending, this.deps.turn.waitMs);
  }

  /** A final utterance, trimmed and not empty. */
  final(said: string): void {
    const now = this.deps.now();
    const previous = this.lastFinal;
    const continues = previous?.unfinished && now - previous.at <= SAME_SENTENCE_MS;
    const maxChars = this.deps.turn.maxQuestionChars;
    const text = keepEnd(continues ? joinUtterances(previous.text, said) : said, maxChars);
    const verdict = this.deps.detect(text);
    if (verdict.backchannel) {
      if (!this.pending) this.listener.nothingAsked();
      return;
    }
    this.lastFinal = { text, at: now, unfinished: verdict.unfinished };
    if (this.pending) {
      // The speaker went on: what follows belongs to the question.
      this.pending.text = keepEnd(joinUtterances(this.pending.text, said), maxChars);
      this.schedule(this.pending);
    } else if (verdict.isQuestion) {
      this.pending = { text };
      this.schedule(this.pending);
    } else {
      this.listener.nothingAsked();
    }
  }

  /** The speaker is done (pause, stop): a question still waiting is asked now. */
  flush(): void {
    const pending = this.pending;
    if (!pending) return;
    this.drop();
    this.listener.question(pending.text);
  }

  /** What instant_query asks, taken from the wait: the question waiting, else the latest final. */
  take(): string | undefined {
    const text = this.pending?.text ?? this.lastFinal?.text;
    this.drop();
    return text;
  }

  /** Forgets the question waiting (the conversation ends). */
  drop(): void {
    clearTimeout(this.pending?.timer);
    this.pending = undefined;
  }

  /** Asks the pending question after the wait (shorter after ? or ？); a wait of 0 asks at once. */
  private schedule(pending: { text: string; timer?: NodeJS.Timeout }, waitMs?: number): void {
    clearTimeout(pending.timer);
    const { turn } = this.deps;
    const wait = waitMs ?? (/[?？]\s*$/.test(pending.text) ? turn.punctuatedWaitMs : turn.waitMs);
    if (wait === 0) this.flush();
    else pending.timer = setTimeout(() => this.flush(), wait);
  }
}
