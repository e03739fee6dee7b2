import { HttpService } from '@nestjs/axios';
import { Logger } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { catchError, defer, from, map, Observable, retry, switchMap, tap, throwError, timer } from 'rxjs';
import { isAxiosError } from 'axios';
import { ShutdownSequence, ShutdownState } from '../lifecycle';
import { spanEvent, traceHeaders } from '../tracing';
import { traceChat } from './chat-tracing';
import { DifySettings } from './dify-settings';
import { DifyError } from './dify-error';
import { difyErrorFrom } from './dify-http-error';
import { savedAnswer } from './dify-saved-answer';
import { DifyStopCalls } from './dify-stop-calls';
import { DifyStreamDecoder } from './dify-stream-decoder';
import { OpenCalls, requestClosed } from './open-calls';
import { DifyChatRequest, DifyChatResult, DifyEvent, DifyRetrieverResource, DifyUsage } from './dify.types';

/** After `message_end`, how long the rest of the body may take before the connection is dropped. */
const DRAIN_GRACE_MS = 2000;
const PROBE_TIMEOUT_MS = 5000;
/** Failures worth another try: Dify's rate limits, 5xx, refused or reset connections (not timeouts). */
const RETRIED: ReadonlySet<DifyError['kind']> = new Set(['rate_limited', 'unavailable']);

/** One app's Dify Chat API (DifyApps has one per app): the only class that talks HTTP to Dify. */
export class DifyClient {
  private readonly logger = new Logger(DifyClient.name);
  private readonly stops: DifyStopCalls;
  /** Stream calls not closed yet, by Dify user (a session). */
  private readonly open = new OpenCalls();

  constructor(
    private readonly http: HttpService,
    private readonly settings: DifySettings,
    private readonly shutdown: ShutdownState,
    sequence: ShutdownSequence,
  ) {
    this.stops = new DifyStopCalls(http, settings, sequence);
  }

  /**
   * A cold stream of the answer's events. The request starts on subscribe; it completes after
   * `message_end` and fails with a DifyError. A 429, 5xx or connection failure before any event is
   * retried DIFY_RETRIES times with exponential backoff from DIFY_RETRY_BASE_MS. Unsubscribing before the end aborts the request and
   * asks Dify to stop the task, since closing the connection alone does not stop generation.
   * DIFY_TIMEOUT bounds the wait for the first event and between two events (pings do not count),
   * DIFY_FIRST_TOKEN_TIMEOUT the wait for the first answer text, DIFY_TOTAL_TIMEOUT the whole answer.
   */
  streamChat(request: DifyChatRequest): Observable<DifyEvent> {
    const { retries, retryBaseMs } = this.settings.limits;
    return defer(() => {
      let heard = false;
      return this.attempt(request).pipe(
        tap(() => (heard = true)),
        // Only a call that produced nothing yet is retried, so no client ever sees text twice.
        retry({
          count: retries,
          delay: (error: unknown, attempt: number) => {
            if (heard || !(error instanceof DifyError) || !RETRIED.has(error.kind)) return throwError(() => error);
            const wait = retryBaseMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
            this.logger.warn(`${error.message}; retry ${attempt} of ${retries} in ${Math.round(wait)} ms`);
            spanEvent('retry', { 'realtime_rag.attempt': attempt, 'realtime_rag.error': error.kind });
            return timer(wait);
          },
        }),
      );
    }).pipe(traceChat(request));
  }

  /**
   * Resolves once none of `user`'s stream calls is open: each one's HTTP request closed (a cancelled
   * one's too, aborted at the latest DIFY_TIMEOUT after its last event) and its stop call answered.
   */
  closed(user: string): Promise<void> {
    return this.open.closed(user);
  }

  /** One HTTP call of streamChat. */
  private attempt(request: DifyChatRequest): Observable<DifyEvent> {
    return new Observable<DifyEvent>((subscriber) => {
      const abort = new AbortController();
      let body: IncomingMessage | undefined;
      let taskId: string | undefined;
      /** The request failed (an HTTP error, a refused connection): nothing was or will be read. */
      let failed = false;
      let timedOut = false;
      /** Cancelled before Dify named the task: the stream is read on until it does (see the teardown). */
      let awaitingTaskId: (() => void) | undefined;
      let tornDown!: () => void;
      const teardown = new Promise<void>((resolve) => (tornDown = resolve));
      const { timeoutMs, firstTokenTimeoutMs, totalTimeoutMs } = this.settings.limits;
      const timeout = (what: string) => () => {
        // A cancelled call still waiting for its task's name gives up at its idle deadline.
        if (awaitingTaskId) return awaitingTaskId();
        timedOut = true;
        subscriber.error(new DifyError('timeout', `Dify did not answer in time (${what})`));
      };
      // The teardown that follows a timeout's error aborts the request and stops the task.
      const timers = {
        idle: setTimeout(timeout('no event'), timeoutMs),
        firstToken: setTimeout(timeout('no answer text'), firstTokenTimeoutMs) as NodeJS.Timeout | undefined,
        total: setTimeout(timeout('answer too long'), totalTimeoutMs),
      };
      const decoder = new DifyStreamDecoder(
        {
          event: (event) => {
            taskId ??= event.taskId;
            if (awaitingTaskId) return taskId ? awaitingTaskId() : undefined;
            timers.idle.refresh();
            if (event.kind === 'text' || event.kind === 'replace') {
              clearTimeout(timers.firstToken);
              timers.firstToken = undefined;
            }
            subscriber.next(event);
          },
          end: () => (awaitingTaskId ? awaitingTaskId() : subscriber.complete()),
          error: (error) => (awaitingTaskId ? awaitingTaskId() : subscriber.error(error)),
        },
        this.settings.limits.maxEventChars,
        request.speech,
      );

      const requested = this.http.axiosRef
        .post<IncomingMessage>(this.settings.url('/chat-messages'), this.chatBody(request, 'streaming'), {
          headers: { ...this.settings.authHeader(), Accept: 'text/event-stream', ...traceHeaders() },
          responseType: 'stream',
          signal: abort.signal,
        })
        .then(
          (response): unknown => {
            body = response.data;
            body.on('data', (bytes: Buffer) => decoder.push(bytes));
            body.on('end', () => decoder.finish());
            body.on('error', () => decoder.finish());
            return response.request;
          },
          async (error: unknown): Promise<unknown> => {
            failed = true;
            if (awaitingTaskId) awaitingTaskId();
            else if (!abort.signal.aborted) subscriber.error(await difyErrorFrom(error));
            return isAxiosError(error) ? error.request : undefined;
          },
        );
      // The call is open (it holds its answer's place, see Answers) until its request closed and its teardown is done.
      this.open.add(
        request.user,
        Promise.all([requested.then(requestClosed), teardown]).then(() => undefined),
      );

      return () => {
        clearTimeout(timers.firstToken);
        clearTimeout(timers.total);
        if (decoder.finished || failed) {
          clearTimeout(timers.idle);
          this.drain(body, abort);
          return tornDown();
        }
        // Handing over at shutdown: a cancelled stream is cut here, its Dify task left to finish.
        const handingOver = this.shutdown.handingOver;
        if (taskId || handingOver || timedOut) {
          clearTimeout(timers.idle);
          abort.abort();
          return taskId && !handingOver ? void this.stops.stop(taskId, request.user).then(tornDown) : tornDown();
        }
        // Dify names the task only in its first event, and only a named task can be stopped: read on
        // until it comes (DIFY_TIMEOUT after the last event at most: the idle timer runs on), then stop
        // the task, so an answer cancelled early (a question taken back, an interrupt) is not
        // generated and billed to its end.
        awaitingTaskId = () => {
          awaitingTaskId = () => undefined;
          clearTimeout(timers.idle);
          abort.abort();
          if (taskId) void this.stops.stop(taskId, request.user).then(tornDown);
          else tornDown();
        };
        // Nobody waits for this call any more: it must not hold the process up at exit either.
        timers.idle.unref();
        void this.stops.track(teardown);
      };
    });
  }

  /** Blocking mode: one request, the whole answer at once. Unsubscribing aborts it. */
  chat(request: DifyChatRequest): Observable<DifyChatResult> {
    return this.http
      .post<BlockingAnswer>(this.settings.url('/chat-messages'), this.chatBody(request, 'blocking'), {
        headers: this.settings.authHeader(),
        timeout: this.settings.limits.timeoutMs,
      })
      .pipe(
        map(({ data }) => ({
          answer: data.answer,
          taskId: data.task_id,
          messageId: data.message_id,
          conversationId: data.conversation_id,
          usage: data.metadata?.usage,
          retrieverResources: data.metadata?.retriever_resources ?? [],
        })),
        catchError((error: unknown) => from(difyErrorFrom(error)).pipe(switchMap((e) => throwError(() => e)))),
      );
  }

  /**
   * A message's answer as Dify saved it, polled in its history (GET /messages) until the answer is
   * there (see savedAnswer in dify-saved-answer.ts).
   */
  savedAnswer(conversationId: string, messageId: string, user: string): Observable<string> {
    return savedAnswer(this.http, this.settings, conversationId, messageId, user);
  }

  /** A cheap authenticated call (GET /parameters) that proves Dify is reachable and takes the key. */
  probe(): Observable<void> {
    return defer(() =>
      this.http.axiosRef.get(this.settings.url('/parameters'), {
        headers: this.settings.authHeader(),
        timeout: Math.min(PROBE_TIMEOUT_MS, this.settings.limits.timeoutMs),
      }),
    ).pipe(
      map(() => undefined),
      catchError((error: unknown) => from(difyErrorFrom(error)).pipe(switchMap((e) => throwError(() => e)))),
    );
  }

  private chatBody(request: DifyChatRequest, mode: 'streaming' | 'blocking') {
    return {
      query: request.query,
      // A session's inputs (hello) over the service's DIFY_INPUTS.
      inputs: { ...this.settings.inputs, ...request.inputs },
      response_mode: mode,
      user: request.user,
      ...(request.conversationId ? { conversation_id: request.conversationId } : {}),
    };
  }

  /** Lets a finished response end by itself, so its connection can be reused, but not forever. */
  private drain(body: IncomingMessage | undefined, abort: AbortController): void {
    if (!body || body.readableEnded) return;
    const timer = setTimeout(() => abort.abort(), DRAIN_GRACE_MS).unref();
    body.once('end', () => clearTimeout(timer));
    body.once('close', () => clearTimeout(timer));
  }
}

interface BlockingAnswer {
  answer: string;
  task_id: string;
  message_id: string;
  conversation_id: string;
  metadata?: { usage?: DifyUsage; retriever_resources?: DifyRetrieverResource[] };
}
