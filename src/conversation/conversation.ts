import { Logger } from '@nestjs/common';
import { Observable, Subject, Subscription } from 'rxjs';
import {
  AnswerMessage,
  ControlAction,
  FinishReason,
  OutboundMessage,
  ProtocolError,
  Stage,
  StatusMessage,
} from '../protocol';
import { AnswerPiece } from './answer.service';
import { toProtocolError } from './upstream-error';

export interface AsrChunk {
  text: string;
  isFinal: boolean;
  sessionId?: string;
}

/** What a Conversation needs from the rest of the app. */
export interface ConversationDeps {
  isQuestion(text: string): boolean;
  answer(question: string, principal: string, sessionId: string): Observable<AnswerPiece>;
}

/** The answer being streamed now. */
interface Turn {
  subscription: Subscription;
  nextIndex: number;
}

const logger = new Logger('Conversation');

/**
 * One connection's dialogue: turns transcript chunks and controls into statuses, answers and
 * errors on `messages$`, which completes when the conversation is over (stop, or the socket went).
 * Knows nothing of sockets. Every inbound message is acknowledged first.
 */
export class Conversation {
  private readonly outbox = new Subject<OutboundMessage>();
  readonly messages$: Observable<OutboundMessage> = this.outbox.asObservable();
  private paused = false;
  private stopping = false;
  private lastFinalText?: string;
  private turn?: Turn;

  constructor(
    private readonly deps: ConversationDeps,
    private readonly principal: string,
    private sessionId: string,
  ) {}

  get currentSessionId(): string {
    return this.sessionId;
  }

  open(): void {
    this.emit({ type: 'ack', message: 'connected', session_id: this.sessionId });
    this.status('listening');
  }

  asrChunk(chunk: AsrChunk): void {
    this.adopt(chunk.sessionId);
    if (this.paused) {
      this.emit({ type: 'ack', received_type: 'asr_chunk', message: 'paused', session_id: this.sessionId });
      this.status('paused', { note: 'transcript ignored while paused; send control resume' });
      return;
    }
    this.emit({ type: 'ack', received_type: 'asr_chunk', is_final: chunk.isFinal, session_id: this.sessionId });
    // Partials are revised until the final one: they never reach Dify.
    if (!chunk.isFinal || this.stopping) return;
    const text = chunk.text.trim();
    if (!text) {
      this.fail(new ProtocolError('EMPTY_QUESTION', 'The final transcript is empty: there is nothing to answer.'));
      return;
    }
    this.lastFinalText = text;
    if (this.deps.isQuestion(text)) this.ask(text);
    else this.status('waiting_for_question');
  }

  control(action: ControlAction, sessionId?: string): void {
    this.adopt(sessionId);
    this.emit({ type: 'ack', received_type: 'control', session_id: this.sessionId });
    switch (action) {
      case 'pause':
        this.paused = true;
        this.status('paused');
        return;
      case 'resume':
        this.paused = false;
        this.status('listening');
        return;
      case 'instant_query':
        if (!this.lastFinalText) {
          this.fail(new ProtocolError('NO_FINAL_ASR', 'No final transcript yet: send an asr_chunk with is_final true first.'));
        } else {
          this.ask(this.lastFinalText, 'instant');
        }
        return;
      case 'stop':
        // An answer in flight finishes first; then the conversation closes.
        this.stopping = true;
        if (!this.turn) this.finish();
        return;
    }
  }

  keepalive(sessionId?: string): void {
    this.adopt(sessionId);
    this.emit({ type: 'ack', received_type: 'keepalive', session_id: this.sessionId });
  }

  /** The client is gone: cancel the answer in flight (which aborts and stops it upstream). */
  close(): void {
    this.turn?.subscription.unsubscribe();
    this.turn = undefined;
    this.outbox.complete();
  }

  /** A client may name its session in any message; from then on turns continue that session. */
  private adopt(sessionId: string | undefined): void {
    if (sessionId) this.sessionId = sessionId;
  }

  private ask(question: string, mode?: 'instant'): void {
    this.interrupt();
    this.status(mode ? 'instant_query' : 'analyzing', { question, mode });
    this.status('querying_rag', { question, mode });
    const turn: Turn = { subscription: new Subscription(), nextIndex: 0 };
    this.turn = turn;
    turn.subscription.add(
      this.deps.answer(question, this.principal, this.sessionId).subscribe({
        next: (piece) => this.chunk(turn, piece.text, false, piece.replace ? { replace: true } : {}),
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
    if (this.stopping) this.finish();
  }

  private closeAnswer(turn: Turn, reason: FinishReason): void {
    this.chunk(turn, '', true, { finish_reason: reason });
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
    this.emit({ type: 'status', stage, ...dropUndefined(extra), session_id: this.sessionId });
  }

  private emit(message: OutboundMessage): void {
    this.outbox.next(message);
  }
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
