import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Observable, Subscription } from 'rxjs';
import { TurnConfig } from '../config';
import { AudioFormat, Feature, FinishReason } from '../protocol';
import { AnswerOutlet, AnswerTakenOverError, finalChunk, RoomAnswering, SessionMessage } from '../session-hub';
import { AnswerTiming, sourcesMessage, usageMessage } from './answer-report';
import { AnswerAudio, AnswerEnd, AnswerEvent, AnswerStart, AnswerStep, isAnswerEnd, isAnswerPiece, isAnswerStart } from './answer-event';
import { keepEnd } from './utterance-text';
import { traceAnswer } from './answer-tracing';
import { describeError, toWireError } from './error-mapping';

export interface AnsweringDeps {
  /** `speech`: a connection wants the spoken answer (feature tts), which Dify may send on after the text's end. */
  answer: (question: string, principal: string, app: string, sessionId: string, speech: boolean) => Observable<AnswerEvent>;
  turn: Pick<TurnConfig, 'bargeIn' | 'maxQuestionChars'>;
  now: () => number;
  /** Told of each question asked and each answer interrupted (metrics). */
  observe?: { asked(mode: 'detected' | 'instant'): void; interrupted(): void; retracted(): void };
  /** Where Dify keeps an answer of the session, as its first event said (for feedback on it later). */
  started?: (answerId: string, start: AnswerStart, principal: string, app: string, sessionId: string) => void;
  /** Dify's suggested follow-up questions after a complete answer; undefined for an app that cannot suggest (not on Dify). */
  suggest?: (messageId: string, principal: string, app: string, sessionId: string) => Promise<string[]> | undefined;
}

/** The answer being streamed now. */
interface Turn {
  id: string;
  /** The question as heard (before keepEnd). */
  heard: string;
  subscription: Subscription;
  timing: AnswerTiming;
  /** Dify's report of the complete answer. */
  end?: AnswerEnd;
  /** The spoken answer's format, told by its first piece. */
  audioFormat?: AudioFormat;
  /** Its final chunk was sent (at Dify's end of the text; the spoken answer may still be coming). */
  closed?: boolean;
}

const logger = new Logger('Conversation');

/**
 * One session's answers, one at a time whichever connection asked: asks Dify, streams the chunks, closes each answer with
 * its final chunk (then sources and usage, as the client opted in), and follows BARGE_IN when a new
 * question comes while an answer streams: interrupt it (closed and cancelled upstream) or queue the
 * question until it ends.
 */
export class Answering implements RoomAnswering {
  private turn?: Turn;
  /** With BARGE_IN=queue: the question to ask when the current answer ends. */
  private queued?: string;

  constructor(
    private readonly deps: AnsweringDeps,
    private readonly outlet: AnswerOutlet,
  ) {}

  /** Whether an answer streams or a question waits for one. */
  get busy(): boolean {
    return this.turn !== undefined || this.queued !== undefined;
  }

  /** The id of the answer streaming now. */
  get current(): string | undefined {
    return this.turn?.id;
  }

  /** A question the detector heard: asked now, or after the answer streaming now with BARGE_IN=queue. */
  heard(question: string): void {
    if (this.turn && this.deps.turn.bargeIn === 'queue') {
      this.queued = question;
      this.outlet.status('analyzing', { question, note: 'queued until the current answer ends' });
    } else {
      this.ask(question);
    }
  }

  /** Asks now, interrupting any answer in flight. */
  ask(heard: string, mode?: 'instant'): void {
    // instant_query for the question being answered (it was asked the moment it was heard): nothing new to ask.
    if (mode && this.turn?.heard === heard) return;
    this.interrupt();
    // The question is at the end of what was heard: a long one keeps its end.
    const question = keepEnd(heard, this.deps.turn.maxQuestionChars);
    this.deps.observe?.asked(mode ?? 'detected');
    this.outlet.status(mode ? 'instant_query' : 'analyzing', { question, mode });
    const turn: Turn = { id: randomUUID(), heard, subscription: new Subscription(), timing: { askedAt: this.deps.now() } };
    this.turn = turn;
    this.outlet.begin(turn.id);
    this.outlet.status('querying_rag', { question, mode, answer_id: turn.id });
    const answer = this.deps.answer(question, this.outlet.principal, this.outlet.app, this.outlet.sessionId, this.outlet.wants('tts'));
    turn.subscription.add(
      answer.pipe(traceAnswer(turn.id, this.outlet, mode)).subscribe({
        next: (event) => {
          if (isAnswerStart(event)) return this.started(turn, event);
          if (isAnswerEnd(event)) {
            // The text is complete (or cut at MAX_ANSWER_CHARS): closed now, though the spoken answer may go on until the stream ends.
            turn.end = event;
            return this.closeAnswer(turn, event.cut ? 'length' : 'complete');
          }
          if (!isAnswerPiece(event)) return this.outlet.send(...extraMessage(event, turn, this.outlet.sessionId));
          turn.timing.firstChunkAt ??= this.deps.now();
          const replace = event.replace ? { replace: true as const } : {};
          this.outlet.send({
            type: 'answer',
            content: event.text,
            final: false,
            ...replace,
            answer_id: turn.id,
            session_id: this.outlet.sessionId,
          });
        },
        error: (error: unknown) => this.endTurn(turn, error),
        complete: () => this.endTurn(turn),
      }),
    );
  }

  /**
   * Cancels the answer in flight (which aborts and stops it upstream) and forgets a queued question.
   * `closeInterrupted`: the client is still told, with the answer's interrupted final chunk.
   */
  cancel(closeInterrupted: boolean): void {
    const turn = this.turn;
    this.turn = undefined;
    this.queued = undefined;
    turn?.subscription.unsubscribe();
    if (turn && closeInterrupted) this.closeAnswer(turn, 'interrupted');
  }

  /**
   * The speaker went on after `heard` was asked: it is taken back if none of its answer reached the
   * client yet (the call cancelled upstream, nothing of it sent, no final chunk), or forgotten if it
   * waits in the queue. True when taken back; false once its answer shows, or when another question
   * took its place.
   */
  retract(heard: string): boolean {
    if (this.queued === heard) {
      this.queued = undefined;
      return true;
    }
    const turn = this.turn;
    if (!turn || turn.heard !== heard || turn.timing.firstChunkAt !== undefined) return false;
    this.turn = undefined;
    turn.subscription.unsubscribe();
    this.deps.observe?.retracted();
    this.outlet.withdraw(turn.id);
    return true;
  }

  /** A newer question wins: the old answer is closed and cancelled upstream. */
  private interrupt(): void {
    const turn = this.turn;
    if (!turn) return;
    this.turn = undefined;
    turn.subscription.unsubscribe();
    this.deps.observe?.interrupted();
    this.outlet.status('interrupting');
    this.closeAnswer(turn, 'interrupted');
  }

  private endTurn(turn: Turn, error?: unknown): void {
    if (this.turn !== turn) return;
    this.turn = undefined;
    if (error === undefined) {
      this.closeAnswer(turn, 'complete');
    } else if (turn.closed) {
      // The text was complete; only the spoken answer's end is lost.
      logger.warn(`The spoken answer failed in session ${this.outlet.sessionId}: ${describeError(error, 'message')}`);
    } else if (error instanceof AnswerTakenOverError) {
      // A newer question of the session, asked on another instance, wins there.
      this.deps.observe?.interrupted();
      this.outlet.status('interrupting');
      this.closeAnswer(turn, 'interrupted');
    } else {
      this.closeAnswer(turn, 'error');
      const failure = toWireError(error);
      if (failure.code === 'SERVER_ERROR') logger.error(describeError(error, 'stack'));
      else logger.warn(`Answer failed in session ${this.outlet.sessionId}: ${describeError(error, 'message')}`);
      this.outlet.fail(failure);
    }
    this.outlet.status('idle');
    const queued = this.queued;
    this.queued = undefined;
    if (queued) this.ask(queued);
    else this.outlet.settled();
  }

  private started(turn: Turn, start: AnswerStart): void {
    const { conversationId, messageId, user } = start;
    this.outlet.upstream(turn.id, { conversationId, messageId, user });
    this.deps.started?.(turn.id, start, this.outlet.principal, this.outlet.app, this.outlet.sessionId);
  }

  /** The final chunk, then what the client opted into: sources of a complete answer, usage of any, and suggested follow-ups later. */
  private closeAnswer(turn: Turn, reason: FinishReason): void {
    if (turn.closed) return;
    turn.closed = true;
    const { sessionId } = this.outlet;
    this.outlet.send(finalChunk(turn.id, sessionId, reason));
    if (reason === 'complete') this.outlet.send(sourcesMessage(turn.end, sessionId), 'sources');
    this.outlet.send(usageMessage(turn.timing, this.deps.now(), reason, turn.end, sessionId), 'usage');
    if (reason === 'complete') this.suggest(turn);
  }

  /** Asks Dify for follow-up questions only when a connection wants them; they come when Dify answers. */
  private suggest(turn: Turn): void {
    const messageId = turn.end?.messageId;
    if (!messageId || !this.deps.suggest || !this.outlet.wants('suggested')) return;
    const { principal, app, sessionId } = this.outlet;
    this.deps.suggest(messageId, principal, app, sessionId)?.then(
      (questions) => this.outlet.send({ type: 'suggested', answer_id: turn.id, questions, session_id: sessionId }, 'suggested'),
      (error: unknown) => logger.warn(`Suggested questions failed in session ${sessionId}: ${describeError(error, 'message')}`),
    );
  }
}

/** A step of the app's work (feature progress) or a piece of the spoken answer (feature tts), as its message. */
function extraMessage(event: AnswerStep | AnswerAudio, turn: Turn, sessionId: string): [SessionMessage, Feature] {
  if ('step' in event) {
    const { type, name, state } = event.step;
    return [{ type: 'progress', answer_id: turn.id, step: type, ...(name ? { name } : {}), state, session_id: sessionId }, 'progress'];
  }
  // Dify speaks MP3; a WAV (the embedded server's) starts with "RIFF", base64 "UklGR".
  turn.audioFormat ??= event.audio.startsWith('UklGR') ? 'wav' : 'mp3';
  return [
    { type: 'audio', answer_id: turn.id, audio: event.audio, format: turn.audioFormat, final: event.last, session_id: sessionId },
    'tts',
  ];
}
