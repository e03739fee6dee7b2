import { Inject, Injectable, Logger } from '@nestjs/common';
import { catchError, concatMap, defer, finalize, map, Observable, Subscription, switchMap, tap, throwError } from 'rxjs';
import { LimitsConfig, limitsConfig, TurnConfig, turnConfig } from '../config';
import { Metrics } from '../metrics';
import { DifyChatRequest, DifyClient, DifyError, DifyEvent, DifyRetrieverResource, DifyStep, DifyUsage } from '../dify';
import { difyUser, KeyedSequence, SessionLease, SessionStore, sessionKey } from '../session';
import { tracedCall } from '../tracing';
import { capAnswer, capText } from './answer-cap';
import { leased } from './leased';
import { AnswersAtCapacityError } from './turn-errors';

/** A piece of an answer: text to append, or (`replace`) text that replaces the answer so far. */
export interface AnswerPiece {
  text: string;
  replace: boolean;
}

/**
 * What Dify said about a complete answer (its `message_end`): the last event before completion. Or,
 * with `cut`, the end of an answer cut at MAX_ANSWER_CHARS (stopped upstream; Dify said nothing more).
 */
export interface AnswerEnd {
  end: true;
  cut?: true;
  messageId?: string;
  conversationId?: string;
  sources: DifyRetrieverResource[];
  usage?: DifyUsage;
}

/** Where Dify keeps this answer (its first event says): another instance can fetch it if this one dies. */
export interface AnswerStart {
  start: true;
  messageId: string;
  conversationId: string;
  user: string;
}

/** An answer as Dify saved it, cut at MAX_ANSWER_CHARS (`cut`) when longer. */
export interface SavedAnswer {
  text: string;
  cut: boolean;
}

/** A step of the Dify app's work (a chatflow node, an agent's tool call). */
export interface AnswerStep {
  step: DifyStep;
}

/** A piece of the spoken answer (base64 MP3); `last` at its end. */
export interface AnswerAudio {
  audio: string;
  last: boolean;
}

export type AnswerEvent = AnswerStart | AnswerPiece | AnswerEnd | AnswerStep | AnswerAudio;

export const isAnswerEnd = (event: AnswerEvent): event is AnswerEnd => 'end' in event;
export const isAnswerStart = (event: AnswerEvent): event is AnswerStart => 'start' in event;
export const isAnswerPiece = (event: AnswerEvent): event is AnswerPiece => 'text' in event;

/**
 * One turn against Dify: look up the session's conversation, ask, stream the answer's pieces, and
 * remember the conversation for the next question. Cold: nothing happens until subscribed, and
 * unsubscribing cancels the upstream call. Completes when the answer is complete.
 */
@Injectable()
export class Answers {
  private readonly logger = new Logger(Answers.name);
  private active = 0;
  /** Each session's calls, one after the other (see oneAtATime). */
  private readonly calls = new KeyedSequence();

  constructor(
    private readonly dify: DifyClient,
    private readonly sessions: SessionStore,
    @Inject(limitsConfig.KEY) private readonly limits: Pick<LimitsConfig, 'maxConcurrentAnswers' | 'maxAnswerChars'>,
    private readonly metrics: Metrics,
    private readonly leases: SessionLease,
    @Inject(turnConfig.KEY) private readonly turn: Pick<TurnConfig, 'bargeIn'>,
  ) {
    metrics.trackAnswersInFlight(() => this.active);
  }

  /** Answers streaming now or still closing upstream, across every connection. */
  get inFlight(): number {
    return this.active;
  }

  /**
   * Like `underLease`, within MAX_CONCURRENT_ANSWERS: beyond it the turn fails at once
   * (AnswersAtCapacityError). An answer holds its place until its upstream calls have closed, not
   * only until its subscriber went; its text ends at MAX_ANSWER_CHARS (a cut AnswerEnd).
   */
  answer(question: string, principal: string, sessionId: string, speech = false): Observable<AnswerEvent> {
    return defer(() => {
      if (this.active >= this.limits.maxConcurrentAnswers) {
        this.metrics.callEnded('busy', 0);
        return throwError(() => new AnswersAtCapacityError());
      }
      this.active++;
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      let outcome = 'cancelled';
      let firstChunk = true;
      const call = this.underLease(question, principal, sessionId, speech).pipe(
        capAnswer(this.limits.maxAnswerChars),
        tap({
          next: (event) => {
            if (isAnswerEnd(event) && event.cut) outcome = 'length';
            if (!firstChunk || !isAnswerPiece(event)) return;
            firstChunk = false;
            this.metrics.firstChunkAfter(seconds());
          },
          complete: () => (outcome = outcome === 'length' ? outcome : 'completed'),
          error: (error: unknown) => (outcome = error instanceof DifyError ? error.kind : 'error'),
        }),
        finalize(() => this.metrics.callEnded(outcome, seconds())),
      );
      return this.oneAtATime(principal, sessionId, call, () => this.active--);
    });
  }

  /**
   * `call`, started once the session's previous call on this instance has closed upstream (request
   * aborted and closed, its stop call answered), so Dify never sees two generations of one session
   * at once from here, whatever arrives when (across instances, the session's lease sees to it).
   * `closed` runs once this call has closed upstream in turn.
   */
  private oneAtATime<T>(principal: string, sessionId: string, call: Observable<T>, closed: () => void): Observable<T> {
    const user = difyUser(principal, sessionId);
    return new Observable<T>((subscriber) => {
      let inner: Subscription | undefined;
      let cancelled = false;
      let ended!: () => void;
      const over = new Promise<void>((resolve) => (ended = resolve));
      this.calls
        .run(sessionKey(principal, sessionId), async () => {
          if (cancelled) ended();
          else inner = call.pipe(finalize(ended)).subscribe(subscriber);
          await over;
          await this.dify.closed(user);
        })
        .then(closed, closed);
      return () => {
        cancelled = true;
        inner?.unsubscribe();
      };
    });
  }

  private underLease(question: string, principal: string, sessionId: string, speech: boolean): Observable<AnswerEvent> {
    const key = sessionKey(principal, sessionId);
    const user = difyUser(principal, sessionId);
    // One Dify call per session across the instances: under the session's lease.
    return leased(this.leases, key, this.turn.bargeIn, () => this.inConversation(key, question, user, speech));
  }

  /** Asks in the session's Dify conversation, keeping the one Dify names; Dify's events as the client's. */
  private inConversation(key: string, question: string, user: string, speech: boolean): Observable<AnswerEvent> {
    let started = false;
    return defer(() => tracedCall('session.get', () => this.sessions.get(key))).pipe(
      switchMap((record) => {
        let known = record?.conversationId;
        // Saved at the first event, not the last: Dify keeps the conversation even if this answer fails.
        return this.askDify({ query: question, user, conversationId: known, inputs: record?.inputs, speech }).pipe(
          tap(({ conversationId }) => {
            if (!conversationId || conversationId === known) return;
            known = conversationId;
            this.save(key, conversationId);
          }),
        );
      }),
      concatMap((event) => {
        const events: AnswerEvent[] = [];
        if (!started && event.messageId && event.conversationId) {
          started = true;
          events.push({ start: true, messageId: event.messageId, conversationId: event.conversationId, user });
        }
        const answer = toAnswerEvent(event);
        if (answer) events.push(answer);
        return events;
      }),
    );
  }

  /**
   * An answer as Dify saved it, once it has ended there: for a client whose answer's instance died.
   * At most MAX_ANSWER_CHARS, like a streamed one (`cut` when longer).
   */
  savedAnswer(start: Omit<AnswerStart, 'start'>): Observable<SavedAnswer> {
    return this.dify
      .savedAnswer(start.conversationId, start.messageId, start.user)
      .pipe(map((answer) => capText(answer, this.limits.maxAnswerChars)));
  }

  /** At shutdown, handing answers over: cancelled answers are left generating at Dify (see DifyClient.leaveTasksRunning). */
  leaveRunning(): void {
    this.dify.leaveTasksRunning();
  }

  /** A stored conversation Dify no longer knows (deleted, expired, ended) gives way to a new one. */
  private askDify(request: DifyChatRequest): Observable<DifyEvent> {
    const { conversationId } = request;
    return this.dify.streamChat(request).pipe(
      catchError((error: unknown) => {
        if (conversationId && error instanceof DifyError && error.kind === 'conversation_not_found') {
          this.logger.warn(`Dify lost conversation ${conversationId}; starting a new one`);
          return this.askDify({ ...request, conversationId: undefined });
        }
        return throwError(() => error);
      }),
    );
  }

  private save(key: string, conversationId: string): void {
    tracedCall('session.update', () => this.sessions.update(key, (record) => ({ ...record, conversationId }))).catch((error: unknown) => {
      this.logger.error(`Saving session failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
}

/** Answer text (empty pieces dropped), the app's named steps, audio, and the end; other events are not the client's business. */
function toAnswerEvent(event: DifyEvent): AnswerEvent | undefined {
  switch (event.kind) {
    case 'progress':
      return event.step ? { step: event.step } : undefined;
    case 'audio':
      return { audio: event.audio, last: event.end };
    case 'text':
      return event.text === '' ? undefined : { text: event.text, replace: false };
    case 'replace':
      return { text: event.text, replace: true };
    case 'end':
      return {
        end: true,
        messageId: event.messageId || undefined,
        conversationId: event.conversationId || undefined,
        sources: event.retrieverResources,
        usage: event.usage,
      };
  }
}
