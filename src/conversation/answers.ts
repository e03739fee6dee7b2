import { Inject, Injectable, Logger } from '@nestjs/common';
import { catchError, concatMap, defer, finalize, map, Observable, Subscription, tap, throwError } from 'rxjs';
import { LimitsConfig, limitsConfig, TurnConfig, turnConfig } from '../config';
import { Metrics } from '../metrics';
import { DifyApps, DifyError, DifyEvent } from '../dify';
import { difyUser, KeyedSequence, SessionRecord, SessionRecords, sessionKey } from '../session';
import { AnswerHistory, leased, SavedAnswer, SessionLease } from '../session-hub';
import { tracedCall } from '../tracing';
import { Upstream, UpstreamRequest, Upstreams } from '../upstream';
import { capAnswer, capText } from './answer-cap';
import { AnswerSlots, AnswerSource } from './answer-slots';
import { AnswerEvent, AnswerStart, isAnswerEnd, isAnswerPiece, toAnswerEvent } from './answer-event';
import { AnswersAtCapacityError } from './turn-errors';

/**
 * One turn against Dify: look up the session's conversation, ask, stream the answer's pieces, and
 * remember the conversation for the next question. Cold: nothing happens until subscribed, and
 * unsubscribing cancels the upstream call. Completes when the answer is complete.
 */
@Injectable()
export class Answers implements AnswerHistory {
  private readonly logger = new Logger(Answers.name);
  private readonly slots: AnswerSlots;
  /** Who waits for no answer to be in flight (settled). */
  private readonly settling: Array<() => void> = [];
  /** Each session's calls, one after the other (see oneAtATime). */
  private readonly calls = new KeyedSequence();

  constructor(
    private readonly upstreams: Upstreams,
    private readonly dify: DifyApps,
    private readonly sessions: SessionRecords,
    @Inject(limitsConfig.KEY)
    private readonly limits: Pick<
      LimitsConfig,
      'maxConcurrentAnswers' | 'maxConcurrentAnswersPerPrincipal' | 'batchMaxShare' | 'maxAnswerChars'
    >,
    private readonly metrics: Metrics,
    private readonly leases: SessionLease,
    @Inject(turnConfig.KEY) private readonly turn: Pick<TurnConfig, 'bargeIn'>,
  ) {
    const total = limits.maxConcurrentAnswers;
    this.slots = new AnswerSlots({
      total,
      perPrincipal: limits.maxConcurrentAnswersPerPrincipal,
      batch: Math.max(1, Math.floor(total * limits.batchMaxShare)),
    });
    metrics.trackAnswersInFlight(() => this.slots.size);
  }

  /** Answers streaming now or still closing upstream, across every connection. */
  get inFlight(): number {
    return this.slots.size;
  }

  /** Resolves once no answer is in flight (at once when none is): at shutdown, the answers had their chance to finish. */
  settled(): Promise<void> {
    if (this.slots.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.settling.push(resolve));
  }

  /**
   * Like `underLease`, within this instance's answer slots (MAX_CONCURRENT_ANSWERS, of them
   * MAX_CONCURRENT_ANSWERS_PER_PRINCIPAL for one principal, BATCH_MAX_SHARE for batch items):
   * beyond a share the turn fails at once (AnswersAtCapacityError). An answer holds its place until
   * its upstream calls have closed, not only until its subscriber went; its text ends at
   * MAX_ANSWER_CHARS (a cut AnswerEnd).
   */
  answer(
    question: string,
    principal: string,
    app: string,
    sessionId: string,
    speech = false,
    source: AnswerSource = 'live',
  ): Observable<AnswerEvent> {
    return defer(() => {
      const free = this.slots.take(principal, source);
      if (!free) {
        this.metrics.callEnded(app, 'busy', 0);
        return throwError(() => new AnswersAtCapacityError());
      }
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      let outcome = 'cancelled';
      let firstChunk = true;
      const call = this.underLease(question, principal, app, sessionId, speech).pipe(
        capAnswer(this.limits.maxAnswerChars),
        tap({
          next: (event) => {
            if (isAnswerEnd(event) && event.cut) outcome = 'length';
            if (!firstChunk || !isAnswerPiece(event)) return;
            firstChunk = false;
            this.metrics.firstChunkAfter(app, seconds());
          },
          complete: () => (outcome = outcome === 'length' ? outcome : 'completed'),
          error: (error: unknown) => (outcome = error instanceof DifyError ? error.kind : 'error'),
        }),
        finalize(() => this.metrics.callEnded(app, outcome, seconds())),
      );
      return this.oneAtATime(principal, app, sessionId, call, () => this.ended(free));
    });
  }

  /**
   * `call`, started once the session's previous call on this instance has closed upstream (request
   * aborted and closed, its stop call answered), so Dify never sees two generations of one session
   * at once from here, whatever arrives when (across instances, the session's lease sees to it).
   * `closed` runs once this call has closed upstream in turn.
   */
  private oneAtATime<T>(principal: string, app: string, sessionId: string, call: Observable<T>, closed: () => void): Observable<T> {
    const user = difyUser(principal, sessionId);
    const upstream = this.upstreams.get(app);
    return new Observable<T>((subscriber) => {
      let inner: Subscription | undefined;
      let cancelled = false;
      let ended!: () => void;
      const over = new Promise<void>((resolve) => (ended = resolve));
      this.calls
        .run(sessionKey(principal, app, sessionId), async () => {
          if (cancelled) ended();
          else inner = call.pipe(finalize(ended)).subscribe(subscriber);
          await over;
          await upstream.closed(user);
        })
        .then(closed, closed);
      return () => {
        cancelled = true;
        inner?.unsubscribe();
      };
    });
  }

  private underLease(question: string, principal: string, app: string, sessionId: string, speech: boolean): Observable<AnswerEvent> {
    const key = sessionKey(principal, app, sessionId);
    const user = difyUser(principal, sessionId);
    // One Dify call per session across the instances: under the session's lease, its record read along with it.
    const read = () => tracedCall('session.get', () => this.sessions.get(key));
    return leased(this.leases, key, this.turn.bargeIn, read, (record) => this.inConversation(app, key, record, question, user, speech));
  }

  /**
   * Asks in the session's conversation (Dify's conversation, RAGFlow's session, FastGPT's chatId), keeping
   * the one the provider names; its events as the client's. Only a Dify answer has a start: only Dify's
   * history gives another instance the answer (savedAnswer), and only Dify takes feedback on it.
   */
  private inConversation(
    app: string,
    key: string,
    record: SessionRecord | undefined,
    question: string,
    user: string,
    speech: boolean,
  ): Observable<AnswerEvent> {
    const upstream = this.upstreams.get(app);
    let started = upstream.provider !== 'dify';
    let known = record?.conversationId;
    // Saved at the first event, not the last: Dify keeps the conversation even if this answer fails.
    const request = { query: question, user, conversationId: known, inputs: record?.inputs, speech, session: key };
    return this.ask(upstream, request).pipe(
      tap(({ conversationId }) => {
        if (!conversationId || conversationId === known) return;
        known = conversationId;
        this.save(key, conversationId);
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
  savedAnswer(app: string, start: Omit<AnswerStart, 'start'>): Observable<SavedAnswer> {
    const dify = this.dify.find(app);
    if (!dify) return throwError(() => new Error(`App ${app} keeps no answers to resume from`));
    return dify.client
      .savedAnswer(start.conversationId, start.messageId, start.user)
      .pipe(map((answer) => capText(answer, this.limits.maxAnswerChars)));
  }

  private ended(free: () => void): void {
    free();
    if (this.slots.size === 0) for (const settled of this.settling.splice(0)) settled();
  }

  /** A stored conversation the provider no longer knows (deleted, expired, ended) gives way to a new one. */
  private ask(upstream: Upstream, request: UpstreamRequest): Observable<DifyEvent> {
    const { conversationId } = request;
    return upstream.ask(request).pipe(
      catchError((error: unknown) => {
        if (conversationId && error instanceof DifyError && error.kind === 'conversation_not_found') {
          this.logger.warn(`${upstream.provider} lost conversation ${conversationId}; starting a new one`);
          return this.ask(upstream, { ...request, conversationId: undefined });
        }
        return throwError(() => error);
      }),
    );
  }

  private save(key: string, conversationId: string): void {
    tracedCall('session.update', () => this.sessions.keepConversation(key, conversationId)).catch((error: unknown) => {
      this.logger.error(`Saving session failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
}
