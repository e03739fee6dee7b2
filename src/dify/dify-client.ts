import { HttpService } from '@nestjs/axios';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { catchError, defer, from, map, Observable, retry, switchMap, tap, throwError, timeout, timer } from 'rxjs';
import { DifyConnection } from './dify-connection';
import { DifyError } from './dify-error';
import { difyErrorFrom } from './dify-http-error';
import { DifyStreamDecoder } from './dify-stream-decoder';
import { DifyChatRequest, DifyChatResult, DifyEvent, DifyRetrieverResource, DifyUsage } from './dify.types';

/** After `message_end`, how long the rest of the body may take before the connection is dropped. */
const DRAIN_GRACE_MS = 2000;
const STOP_TIMEOUT_MS = 5000;
/** At shutdown, how long the stop calls still under way may take before the process exits anyway. */
const SHUTDOWN_STOP_WAIT_MS = 2000;
const PROBE_TIMEOUT_MS = 5000;
/** How often a saved answer is looked for in Dify's history while Dify still generates it. */
const SAVED_ANSWER_POLL_MS = 500;

/** Dify lists the message, without its answer yet. */
class StillGenerating extends Error {}
/** Failures worth another try: Dify's rate limits, 5xx, refused or reset connections (not timeouts). */
const RETRIED: ReadonlySet<DifyError['kind']> = new Set(['rate_limited', 'unavailable']);

/** Dify's Chat API: the only class that talks HTTP to Dify. */
@Injectable()
export class DifyClient implements OnApplicationShutdown {
  private readonly logger = new Logger(DifyClient.name);
  /** Stop calls not answered yet: a stop that never leaves the process lets Dify generate (and bill) on. */
  private readonly stopping = new Set<Promise<void>>();
  /** At shutdown with answers handed over: a cancelled stream is cut here, its Dify task left to finish. */
  private handingOver = false;

  constructor(
    private readonly http: HttpService,
    private readonly connection: DifyConnection,
  ) {}

  /**
   * A cold stream of the answer's events. The request starts on subscribe; it completes after
   * `message_end` and fails with a DifyError. A 429, 5xx or connection failure before any event is
   * retried DIFY_RETRIES times with exponential backoff from DIFY_RETRY_BASE_MS. Unsubscribing before the end aborts the request and
   * asks Dify to stop the task, since closing the connection alone does not stop generation.
   * DIFY_TIMEOUT bounds the wait for the first event and between two events (pings do not count),
   * DIFY_FIRST_TOKEN_TIMEOUT the wait for the first answer text, DIFY_TOTAL_TIMEOUT the whole answer.
   */
  streamChat(request: DifyChatRequest): Observable<DifyEvent> {
    const { retries, retryBaseMs } = this.connection.limits;
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
            return timer(wait);
          },
        }),
      );
    });
  }

  /** One HTTP call of streamChat. */
  private attempt(request: DifyChatRequest): Observable<DifyEvent> {
    return new Observable<DifyEvent>((subscriber) => {
      const abort = new AbortController();
      let body: IncomingMessage | undefined;
      let taskId: string | undefined;
      /** Cancelled before Dify named the task: the stream is read on until it does (see the teardown). */
      let awaitingTaskId: (() => void) | undefined;
      const { timeoutMs, firstTokenTimeoutMs, totalTimeoutMs } = this.connection.limits;
      const timeout = (what: string) => () => subscriber.error(new DifyError('timeout', `Dify did not answer in time (${what})`));
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
        this.connection.limits.maxEventChars,
        request.speech,
      );

      this.http.axiosRef
        .post<IncomingMessage>(this.connection.url('/chat-messages'), this.chatBody(request, 'streaming'), {
          headers: { ...this.connection.authHeader(), Accept: 'text/event-stream' },
          responseType: 'stream',
          signal: abort.signal,
        })
        .then((response) => {
          body = response.data;
          body.on('data', (bytes: Buffer) => decoder.push(bytes));
          body.on('end', () => decoder.finish());
          body.on('error', () => decoder.finish());
        })
        .catch(async (error: unknown) => {
          if (abort.signal.aborted) return;
          if (awaitingTaskId) return awaitingTaskId();
          subscriber.error(await difyErrorFrom(error));
        });

      return () => {
        Object.values(timers).forEach((timer) => clearTimeout(timer));
        if (decoder.finished) {
          this.drain(body, abort);
          return;
        }
        if (taskId || this.handingOver) {
          abort.abort();
          if (taskId && !this.handingOver) this.stop(taskId, request.user);
          return;
        }
        // Dify names the task only in its first event, and only a named task can be stopped: read on
        // (DIFY_TIMEOUT at most) until it comes, then stop the task, so an answer cancelled early
        // (a question taken back, an interrupt) is not generated and billed to its end.
        const named = new Promise<void>((resolve) => {
          const giveUp = setTimeout(() => awaitingTaskId!(), timeoutMs).unref();
          awaitingTaskId = () => {
            awaitingTaskId = () => undefined;
            clearTimeout(giveUp);
            abort.abort();
            if (taskId) this.stop(taskId, request.user);
            resolve();
          };
        }).finally(() => this.stopping.delete(named));
        this.stopping.add(named);
      };
    });
  }

  /**
   * From now on (the service stops, handing its answers over to other instances), cancelling a stream
   * aborts its request without stopping its Dify task: Dify finishes and saves the answer, and the
   * client that resumes it elsewhere gets the rest from Dify's history.
   */
  leaveTasksRunning(): void {
    this.handingOver = true;
  }

  /** Blocking mode: one request, the whole answer at once. Unsubscribing aborts it. */
  chat(request: DifyChatRequest): Observable<DifyChatResult> {
    return this.http
      .post<BlockingAnswer>(this.connection.url('/chat-messages'), this.chatBody(request, 'blocking'), {
        headers: this.connection.authHeader(),
        timeout: this.connection.limits.timeoutMs,
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

  /** Asks Dify to stop generating. Best effort: Dify answers success even when it cannot stop. */
  stop(taskId: string, user: string): void {
    const call: Promise<void> = this.http.axiosRef
      .post(
        this.connection.url(`/chat-messages/${encodeURIComponent(taskId)}/stop`),
        { user },
        {
          headers: this.connection.authHeader(),
          timeout: STOP_TIMEOUT_MS,
        },
      )
      .then(
        () => undefined,
        async (error: unknown) => {
          this.logger.warn(`Stopping Dify task ${taskId} failed: ${(await difyErrorFrom(error)).message}`);
        },
      )
      .finally(() => this.stopping.delete(call));
    this.stopping.add(call);
  }

  /**
   * At shutdown, after every answer was cancelled (the gateway's beforeApplicationShutdown and the
   * sockets' closing): waits for their stop calls, SHUTDOWN_STOP_WAIT_MS at most.
   */
  async onApplicationShutdown(): Promise<void> {
    if (this.stopping.size === 0) return;
    const calls = this.stopping.size;
    const settled = Promise.all(this.stopping).then(() => true);
    if (!(await Promise.race([settled, sleep(SHUTDOWN_STOP_WAIT_MS, false, { ref: false })]))) {
      this.logger.warn(`${this.stopping.size} of ${calls} Dify stop calls unanswered at shutdown`);
    }
  }

  /**
   * A message's answer as Dify saved it, polled in its history (GET /messages) until the answer is
   * there: Dify keeps generating after its client went and saves the answer at message_end (or
   * stop). Fails after DIFY_TOTAL_TIMEOUT, or when Dify does not know the message.
   */
  savedAnswer(conversationId: string, messageId: string, user: string): Observable<string> {
    const { totalTimeoutMs } = this.connection.limits;
    const lookUp = async (): Promise<string> => {
      const { data } = await this.http.axiosRef.get<{ data: Array<{ id: string; answer: string }> }>(this.connection.url('/messages'), {
        headers: this.connection.authHeader(),
        params: { conversation_id: conversationId, user, limit: 100 },
        timeout: this.connection.limits.timeoutMs,
      });
      const message = data.data.find((m) => m.id === messageId);
      if (!message) throw new DifyError('not_found', 'Dify does not know the message');
      if (!message.answer) throw new StillGenerating();
      return message.answer;
    };
    return defer(lookUp).pipe(
      retry({ delay: (error: unknown) => (error instanceof StillGenerating ? timer(SAVED_ANSWER_POLL_MS) : throwError(() => error)) }),
      timeout({ first: totalTimeoutMs, with: () => throwError(() => new DifyError('timeout', 'Dify did not finish the answer in time')) }),
      catchError((error: unknown) =>
        error instanceof DifyError ? throwError(() => error) : from(difyErrorFrom(error)).pipe(switchMap((e) => throwError(() => e))),
      ),
    );
  }

  /** A cheap authenticated call (GET /parameters) that proves Dify is reachable and takes the key. */
  probe(): Observable<void> {
    return defer(() =>
      this.http.axiosRef.get(this.connection.url('/parameters'), {
        headers: this.connection.authHeader(),
        timeout: Math.min(PROBE_TIMEOUT_MS, this.connection.limits.timeoutMs),
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
      inputs: { ...this.connection.inputs, ...request.inputs },
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
