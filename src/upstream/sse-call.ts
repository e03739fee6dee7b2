import { Logger } from '@nestjs/common';
import type { AxiosInstance } from 'axios';
import { isAxiosError } from 'axios';
import { createParser, EventSourceMessage } from 'eventsource-parser';
import type { IncomingMessage } from 'node:http';
import { defer, Observable, retry, tap, throwError, timer } from 'rxjs';
import { OpenCalls, requestClosed, responseText } from '../dify';
import type { ProviderName, UpstreamEvent } from './upstream';
import { UpstreamError } from './upstream-error';
import { upstreamErrorFrom } from './upstream-http-error';
import { UpstreamLimits } from './upstream-limits';

/** What a provider's reader makes of one SSE message: events to emit, and whether the answer is complete. */
export interface FrameResult {
  events: UpstreamEvent[];
  done?: boolean;
}

/** A provider's stream format: one per call (it may keep state, such as the answer so far). Throws an UpstreamError to fail the answer. */
export interface FrameReader {
  read(message: EventSourceMessage): FrameResult;
  /** The body ended before `done`: the closing events of an answer that may end so, or a throw. */
  finish(): UpstreamEvent[];
  /** A JSON body where a stream was expected (RAGFlow reports errors as `200 {code, message}`). */
  jsonBody?(body: string): UpstreamError;
}

/** One streaming POST of a provider, built anew for each attempt. */
export interface SseCallSpec {
  url: string;
  headers: Record<string, string>;
  body: unknown;
  /** The session's upstream user: its calls count as open (`closed(user)`) until they closed. */
  user: string;
  reader: FrameReader;
}

/** Failures worth another try, before any event only: rate limits, 5xx, refused or reset connections. */
const RETRIED = new Set(['rate_limited', 'unavailable']);

/**
 * The streaming call every non-Dify adapter makes, with DifyClient's guarantees: the body parsed as
 * SSE however the network cut it (eventsource-parser, as for Dify; UTF-8 decoded across chunks),
 * retries before the first event only, DIFY_TIMEOUT between events, DIFY_FIRST_TOKEN_TIMEOUT to the
 * first text, DIFY_TOTAL_TIMEOUT for the whole answer, and the request aborted on unsubscribe.
 */
export class SseCaller {
  private readonly logger: Logger;
  private readonly open = new OpenCalls();

  constructor(
    private readonly provider: ProviderName,
    private readonly http: AxiosInstance,
    private readonly limits: UpstreamLimits,
  ) {
    this.logger = new Logger(`Upstream:${provider}`);
  }

  /** A cold stream of the call's events; `spec` is asked again for each retry. */
  stream(spec: () => SseCallSpec): Observable<UpstreamEvent> {
    const { retries, retryBaseMs } = this.limits;
    return defer(() => {
      let heard = false;
      return defer(() => this.attempt(spec())).pipe(
        tap(() => (heard = true)),
        retry({
          count: retries,
          delay: (error: unknown, attempt: number) => {
            if (heard || !(error instanceof UpstreamError) || !RETRIED.has(error.kind)) return throwError(() => error);
            const wait = retryBaseMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
            this.logger.warn(`${error.message}; retry ${attempt} of ${retries} in ${Math.round(wait)} ms`);
            return timer(wait);
          },
        }),
      );
    });
  }

  closed(user: string): Promise<void> {
    return this.open.closed(user);
  }

  private attempt(spec: SseCallSpec): Observable<UpstreamEvent> {
    return new Observable<UpstreamEvent>((subscriber) => {
      const abort = new AbortController();
      const utf8 = new TextDecoder('utf-8');
      let done = false;
      const fail = (error: unknown) => {
        if (done) return;
        done = true;
        subscriber.error(
          error instanceof UpstreamError ? error : UpstreamError.of(this.provider, 'rejected', 'sent a stream it cannot read'),
        );
      };
      const emit = (events: UpstreamEvent[], complete = false) => {
        for (const event of events) {
          if (event.kind === 'text' || event.kind === 'replace') {
            clearTimeout(timers.firstToken);
          }
          subscriber.next(event);
        }
        if (complete && !done) {
          done = true;
          subscriber.complete();
        }
      };
      const timeout = (what: string) => () => fail(UpstreamError.of(this.provider, 'timeout', `did not answer in time (${what})`));
      const timers = {
        idle: setTimeout(timeout('no event'), this.limits.timeoutMs),
        firstToken: setTimeout(timeout('no answer text'), this.limits.firstTokenTimeoutMs),
        total: setTimeout(timeout('answer too long'), this.limits.totalTimeoutMs),
      };
      const parser = createParser({
        maxBufferSize: this.limits.maxEventChars,
        onEvent: (message) => {
          if (done) return;
          timers.idle.refresh();
          if (message.data.length > this.limits.maxEventChars) return fail(this.tooLarge());
          try {
            const { events, done: complete } = spec.reader.read(message);
            emit(events, complete);
          } catch (error) {
            fail(error);
          }
        },
        onError: (error) => {
          if (error.type === 'max-buffer-size-exceeded') fail(this.tooLarge());
        },
      });
      const finish = () => {
        if (done) return;
        try {
          emit(spec.reader.finish(), true);
        } catch (error) {
          fail(error);
        }
      };

      const requested = this.http
        .post<IncomingMessage>(spec.url, spec.body, {
          headers: { ...spec.headers, Accept: 'text/event-stream' },
          responseType: 'stream',
          signal: abort.signal,
        })
        .then(
          async (response): Promise<unknown> => {
            const body = response.data;
            const type = String(response.headers['content-type'] ?? '');
            if (type.includes('application/json') && spec.reader.jsonBody) {
              fail(spec.reader.jsonBody(await responseText(body)));
              return response.request;
            }
            body.on('data', (bytes: Buffer) => {
              if (!done) parser.feed(utf8.decode(bytes, { stream: true }));
            });
            body.on('end', finish);
            body.on('error', finish);
            return response.request;
          },
          async (error: unknown): Promise<unknown> => {
            if (!abort.signal.aborted) fail(await upstreamErrorFrom(this.provider, error));
            return isAxiosError(error) ? error.request : undefined;
          },
        );
      this.open.add(spec.user, requested.then(requestClosed));

      return () => {
        clearTimeout(timers.idle);
        clearTimeout(timers.firstToken);
        clearTimeout(timers.total);
        done = true;
        abort.abort();
      };
    });
  }

  private tooLarge(): UpstreamError {
    return UpstreamError.of(this.provider, 'event_too_large', `sent a stream event longer than ${this.limits.maxEventChars} characters`);
  }
}
