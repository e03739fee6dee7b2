import { Logger } from '@nestjs/common';
import { Observable, Subscription } from 'rxjs';
import {
  AnswerMessage,
  ControlAction,
  Feature,
  FinishReason,
  knownFeatures,
  OutboundMessage,
  ProtocolError,
  Stage,
  StatusMessage,
} from '../protocol';
import { TurnConfig } from '../config';
import { AnswerTiming, sourcesMessage, usageMessage, withoutUndefined } from './answer-report';
import { AnswerEnd, AnswerEvent, isAnswerEnd } from './answer.service';
import { toProtocolError } from './upstream-error';
import { joinUtterances, keepEnd } from './utterance-text';

export interface AsrChunk {
  text: string;
  isFinal: boolean;
  sessionId?: string;
}

/** What a Conversation needs from the rest of the app. */
export interface ConversationDeps {
  detect(text: string): { isQuestion: boolean; unfinished: boolean; backchannel: boolean };
  answer(question: string, principal: string, sessionId: string): Observable<AnswerEvent>;
  turn: TurnConfig;
  now?: () => number;
  /** Told of each question asked and each answer interrupted (metrics). */
  observe?: { asked(mode: 'detected' | 'instant'): void; interrupted(): void };
}

/** Where a Conversation's messages go (the socket's Outbox). */
export interface MessageSink {
  send(message: OutboundMessage): void;
  /**
   * The conversation is over (stop, or the client went): nothing more will be sent. `reason`: the
   * service ended it (at shutdown), and the client has been told so when it lost anything.
   */
  end(reason?: ProtocolError): void;
}

/** A final heard this soon after an unfinished one continues its sentence ("关于年假" … "有几天"). */
const SAME_SENTENCE_MS = 1500;

/** The answer being streamed now. */
interface Turn {
  subscription: Subscription;
  nextIndex: number;
  timing: AnswerTiming;
  /** Dify's report of the complete answer. */
  end?: AnswerEnd;
}

const NO_FEATURES: readonly Feature[] = [];

const logger = new Logger('Conversation');

/**
 * One connection's dialogue: turns transcript chunks and controls into statuses, answers and
 * errors for its sink, which is ended when the conversation is over (stop, or the socket went).
 * Knows nothing of sockets. Every inbound message is acknowledged first.
 */
export class Conversation {
  private ended = false;
  private paused = false;
  private stopping = false;
  /** The latest final utterance, for instant_query and for a sentence its successor continues. */
  private lastFinal?: { text: string; at: number; unfinished: boolean };
  /** A question heard, waiting a moment in case the speaker goes on. */
  private pending?: { text: string; timer?: NodeJS.Timeout };
  /** With BARGE_IN=queue: the question to ask when the current answer ends. */
  private queued?: string;
  private turn?: Turn;
  /** The opt-in protocol additions this client asked for. */
  private features = NO_FEATURES;

  constructor(
    private readonly deps: ConversationDeps,
    private readonly principal: string,
    private sessionId: string,
    private readonly sink: MessageSink,
  ) {}

  get currentSessionId(): string {
    return this.sessionId;
  }

  open(): void {
    this.emit({ type: 'ack', message: 'connected', session_id: this.sessionId });
    this.status('listening');
  }

  /** Turns on the known features among `names` (and off the others); unknown names are ignored. */
  enable(names: readonly string[]): Feature[] {
    const features = knownFeatures(names);
    this.features = features.length ? features : NO_FEATURES;
    return features;
  }

  hello(features: readonly string[], sessionId?: string): void {
    this.adopt(sessionId);
    this.emit({ type: 'ack', received_type: 'hello', features: this.enable(features), session_id: this.sessionId });
  }

  asrChunk(chunk: AsrChunk): void {
    this.adopt(chunk.sessionId);
    if (this.paused) {
      this.emit({ type: 'ack', received_type: 'asr_chunk', message: 'paused', session_id: this.sessionId });
      this.status('paused', { note: 'transcript ignored while paused; send control resume' });
      return;
    }
    this.emit({ type: 'ack', received_type: 'asr_chunk', is_final: chunk.isFinal, session_id: this.sessionId });
    if (this.stopping) return;
    // Partials are revised until the final one: they never reach Dify. While a question waits,
    // one means the speaker is still talking, so the question waits on.
    if (!chunk.isFinal) {
      if (this.pending && chunk.text.trim()) this.schedule(this.pending, this.deps.turn.waitMs);
      return;
    }
    const text = chunk.text.trim();
    if (!text) {
      this.fail(new ProtocolError('EMPTY_QUESTION', 'The final transcript is empty: there is nothing to answer.'));
      return;
    }
    this.hear(text);
  }

  private hear(said: string): void {
    const now = this.now();
    const previous = this.lastFinal;
    const continues = previous?.unfinished && now - previous.at <= SAME_SENTENCE_MS;
    // What is held and joined is capped (MAX_QUESTION_CHARS, keeping the end), so a speaker who never
    // finishes a sentence costs the same on every message, however long they go on.
    const maxChars = this.deps.turn.maxQuestionChars;
    const text = keepEnd(continues ? joinUtterances(previous.text, said) : said, maxChars);
    const verdict = this.deps.detect(text);
    if (verdict.backchannel) {
      // "嗯", "ok": keeps the conversation going, joins no question, interrupts nothing.
      if (!this.pending) this.status('waiting_for_question');
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
      this.status('waiting_for_question');
    }
  }

  /** Asks the pending question after the wait (shorter after ? or ？); a wait of 0 asks at once. */
  private schedule(pending: { text: string; timer?: NodeJS.Timeout }, waitMs?: number): void {
    clearTimeout(pending.timer);
    const { turn } = this.deps;
    const wait = waitMs ?? (/[?？]\s*$/.test(pending.text) ? turn.punctuatedWaitMs : turn.waitMs);
    if (wait === 0) this.askPending();
    else pending.timer = setTimeout(() => this.askPending(), wait);
  }

  private askPending(): void {
    const pending = this.pending;
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending = undefined;
    if (this.turn && this.deps.turn.bargeIn === 'queue') {
      this.queued = pending.text;
      this.status('analyzing', { question: pending.text, note: 'queued until the current answer ends' });
    } else {
      this.ask(pending.text);
    }
  }

  control(action: ControlAction, sessionId?: string): void {
    this.adopt(sessionId);
    this.emit({ type: 'ack', received_type: 'control', session_id: this.sessionId });
    switch (action) {
      case 'pause':
        // A question already heard is still answered.
        this.askPending();
        this.paused = true;
        this.status('paused');
        return;
      case 'resume':
        this.paused = false;
        this.status('listening');
        return;
      case 'instant_query': {
        const text = this.pending?.text ?? this.lastFinal?.text;
        if (!text) {
          this.fail(new ProtocolError('NO_FINAL_ASR', 'No final transcript yet: send an asr_chunk with is_final true first.'));
          return;
        }
        this.dropPending();
        this.ask(text, 'instant');
        return;
      }
      case 'stop':
        // A question already heard is answered and an answer in flight finishes; then the conversation closes.
        this.stopping = true;
        this.askPending();
        if (!this.turn) this.finish();
        return;
    }
  }

  keepalive(sessionId?: string): void {
    this.adopt(sessionId);
    this.emit({ type: 'ack', received_type: 'keepalive', session_id: this.sessionId });
  }

  /**
   * The conversation is over: the client went, or the service ends it with `reason` (at shutdown).
   * The answer in flight is cancelled, which aborts and stops it upstream. With a reason, the client
   * is told what it loses: the answer's interrupted final chunk, then the reason, if an answer was in
   * flight or a question waiting.
   */
  close(reason?: ProtocolError): void {
    const turn = this.turn;
    const unanswered = turn !== undefined || this.pending !== undefined || this.queued !== undefined;
    this.dropPending();
    this.queued = undefined;
    turn?.subscription.unsubscribe();
    this.turn = undefined;
    if (this.ended) return;
    if (reason && turn) this.closeAnswer(turn, 'interrupted');
    if (reason && unanswered) this.fail(reason);
    this.ended = true;
    this.sink.end(reason);
  }

  /** A client may name its session in any message; from then on turns continue that session. */
  private adopt(sessionId: string | undefined): void {
    if (!sessionId || sessionId === this.sessionId) return;
    logger.log(`Connection of session ${this.sessionId} continues session ${sessionId}`);
    this.sessionId = sessionId;
  }

  private dropPending(): void {
    clearTimeout(this.pending?.timer);
    this.pending = undefined;
  }

  private ask(heard: string, mode?: 'instant'): void {
    // Frames can still arrive while a closing socket finishes its handshake: they start nothing upstream.
    if (this.ended) return;
    this.interrupt();
    // The question is at the end of what was heard: a long one keeps its end.
    const question = keepEnd(heard, this.deps.turn.maxQuestionChars);
    this.deps.observe?.asked(mode ?? 'detected');
    this.status(mode ? 'instant_query' : 'analyzing', { question, mode });
    this.status('querying_rag', { question, mode });
    const turn: Turn = { subscription: new Subscription(), nextIndex: 0, timing: { askedAt: this.now() } };
    this.turn = turn;
    turn.subscription.add(
      this.deps.answer(question, this.principal, this.sessionId).subscribe({
        next: (event) => {
          if (isAnswerEnd(event)) {
            turn.end = event;
            return;
          }
          turn.timing.firstChunkAt ??= this.now();
          this.chunk(turn, event.text, false, event.replace ? { replace: true } : {});
        },
        error: (error: unknown) => this.endTurn(turn, error),
        complete: () => this.endTurn(turn),
      }),
    );
  }

  /** A newer question wins: the old answer is closed and cancelled upstream. */
  private interrupt(): void {
    const turn = this.turn;
    if (!turn) return;
    this.turn = undefined;
    turn.subscription.unsubscribe();
    this.deps.observe?.interrupted();
    this.status('interrupting');
    this.closeAnswer(turn, 'interrupted');
  }

  private endTurn(turn: Turn, error?: unknown): void {
    if (this.turn !== turn) return;
    this.turn = undefined;
    if (error === undefined) {
      this.closeAnswer(turn, 'complete');
    } else {
      this.closeAnswer(turn, 'error');
      const failure = toProtocolError(error);
      if (failure.code === 'SERVER_ERROR') logger.error(error instanceof Error ? error.stack : String(error));
      else logger.warn(`Answer failed in session ${this.sessionId}: ${error instanceof Error ? error.message : String(error)}`);
      this.fail(failure);
    }
    this.status('idle');
    const queued = this.queued;
    this.queued = undefined;
    if (queued) this.ask(queued);
    else if (this.stopping) this.finish();
  }

  /** The final chunk, then what the client opted into: sources of a complete answer, usage of any. */
  private closeAnswer(turn: Turn, reason: FinishReason): void {
    this.chunk(turn, '', true, { finish_reason: reason });
    if (reason === 'complete' && this.features.includes('sources')) this.emit(sourcesMessage(turn.end, this.sessionId));
    if (this.features.includes('usage')) this.emit(usageMessage(turn.timing, this.now(), reason, turn.end, this.sessionId));
  }

  private chunk(turn: Turn, content: string, final: boolean, extra: Partial<AnswerMessage>): void {
    this.emit({
      type: 'answer',
      stream_index: turn.nextIndex++,
      content,
      final,
      ...extra,
      session_id: this.sessionId,
    });
  }

  private finish(): void {
    this.status('closed', { note: 'stopped by the client' });
    this.close();
  }

  private fail(error: ProtocolError): void {
    this.emit(error.toMessage(this.sessionId));
  }

  private status(stage: Stage, extra: Partial<StatusMessage> = {}): void {
    this.emit({ type: 'status', stage, ...withoutUndefined(extra), session_id: this.sessionId });
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private emit(message: OutboundMessage): void {
    if (!this.ended) this.sink.send(message);
  }
}
