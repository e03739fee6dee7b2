import { TurnConfig } from '../config';
import { endSpanThen, OpenSpan, openSpan } from '../tracing';
import { questionWait, WaitPolicy } from './question-wait';
import { joinUtterances, keepEnd } from './utterance-text';

/** The detector's verdict on a final utterance, as hearing uses it. */
export interface Verdict {
  isQuestion: boolean;
  /** It stops mid-sentence ("关于年假"): what the speaker says next belongs to it. */
  unfinished: boolean;
  /** "嗯", "ok": keeps the conversation going, joins no question, interrupts nothing. */
  backchannel: boolean;
  /** 0..1: how sure the detector is that it asks for information. */
  score: number;
}

export interface HearingDeps {
  detect: (text: string) => Verdict;
  turn: WaitPolicy & Pick<TurnConfig, 'maxQuestionChars'>;
  now: () => number;
}

/** What hearing tells the conversation it listens for. */
export interface HearingListener {
  /** A question was heard and the speaker stopped: ask it. */
  question(text: string): void;
  /**
   * The speaker went on (not with a backchannel) after `text` was asked: if none of its answer
   * reached the client yet, take it back and `reopen` it here, so the whole question is asked.
   */
  wentOn(text: string): void;
  /** A final that asks nothing: small talk, a lead-in, a backchannel while no question waits. */
  nothingAsked(): void;
}

/** A final heard this soon after an unfinished one continues its sentence ("关于年假" … "有几天"). */
const SAME_SENTENCE_MS = 1500;

/**
 * From transcript to questions: joins a sentence the speaker left unfinished to what follows it,
 * waits a moment after a question in case the speaker goes on (partials restart the wait; what
 * follows joins the question), and then hands the question on. With TURN_POLICY=adaptive the wait
 * depends on what was said (questionWait), and a speaker who goes on after the question was asked,
 * before any of its answer reached the client, has it taken back and the whole question asked
 * instead: one answer, to the whole question. What it holds, joins and scores is
 * capped (MAX_QUESTION_CHARS, keeping the end), so a speaker who never finishes a sentence costs the
 * same on every message, however long they go on.
 */
export class Hearing {
  /** The latest final utterance, for instant_query and for a sentence its successor continues. */
  private lastFinal?: { text: string; at: number; unfinished: boolean };
  /** A question heard, waiting a moment in case the speaker goes on. */
  private pending?: { text: string; timer?: NodeJS.Timeout; turn?: OpenSpan };
  /** `adaptive`: the question asked last, which the speaker may still continue (until its answer shows). */
  private asked?: string;

  constructor(
    private readonly deps: HearingDeps,
    private readonly listener: HearingListener,
  ) {}

  /** Whether a question waits to be asked. */
  get waiting(): boolean {
    return this.pending !== undefined;
  }

  /**
   * Partials never reach Dify; while a question waits, one with words means the speaker goes on, and
   * so does one (not a backchannel) right after a question was asked: it is taken back if it can be.
   */
  partial(text: string): void {
    if ((!this.pending && !this.asked) || !text.trim()) return;
    if (!this.pending && !this.deps.detect(text).backchannel) this.wentOnAfterAsking();
    if (this.pending) this.schedule(this.pending, this.deps.turn.waitMs);
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
    if (!this.pending) this.wentOnAfterAsking();
    if (this.pending) {
      // The speaker went on: what follows belongs to the question.
      const pending = this.pending;
      pending.text = keepEnd(joinUtterances(pending.text, said), maxChars);
      this.schedule(pending, questionWait(pending.text, this.deps.detect(pending.text), this.deps.turn));
    } else if (verdict.isQuestion) {
      this.pending = { text, turn: openSpan('turn', { 'realtime_rag.question_score': verdict.score }) };
      this.schedule(this.pending, questionWait(text, verdict, this.deps.turn));
    } else {
      this.listener.nothingAsked();
    }
  }

  /** The speaker is done (pause, stop): a question still waiting is asked now. */
  flush(): void {
    const pending = this.pending;
    if (!pending) return;
    this.drop();
    // The turn's span (detection to asking) ends; the answer it asks is its child.
    endSpanThen(pending.turn, () => this.listener.question(pending.text));
    if (this.deps.turn.policy === 'adaptive') this.asked = pending.text;
  }

  /** What instant_query asks, taken from the wait: the question waiting, else the latest final. */
  take(): string | undefined {
    const text = this.pending?.text ?? this.lastFinal?.text;
    this.drop();
    return text;
  }

  /** Forgets the question waiting, and the one asked (the conversation ends, or instant_query took it). */
  drop(): void {
    clearTimeout(this.pending?.timer);
    this.pending = undefined;
    this.asked = undefined;
  }

  /** Forgets everything heard: the question waiting, the one asked, the latest final (control{stop} with STOP_MODE=reset). */
  forget(): void {
    this.drop();
    this.lastFinal = undefined;
  }

  /**
   * A question taken back after it was asked (none of its answer showed): it waits again, to be
   * joined with what the speaker says next.
   */
  reopen(text: string): void {
    this.pending ??= { text };
  }

  /**
   * The speaker goes on after a question was asked: the listener may take it back (and `reopen` it).
   * Once the question's answer shows it cannot be, and what follows is a turn of its own.
   */
  private wentOnAfterAsking(): void {
    const asked = this.asked;
    this.asked = undefined;
    if (asked !== undefined) this.listener.wentOn(asked);
  }

  /** Asks the pending question after `wait` ms; a wait of 0 asks at once. */
  private schedule(pending: { text: string; timer?: NodeJS.Timeout }, wait: number): void {
    clearTimeout(pending.timer);
    if (wait === 0) this.flush();
    else pending.timer = setTimeout(() => this.flush(), wait);
  }
}
