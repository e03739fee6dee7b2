import { Attributes, Context, context, propagation, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { createHash } from 'node:crypto';
import { MonoTypeOperatorFunction, Observable } from 'rxjs';
import { tracer, tracingOn } from './tracing';

/** What a traced stream's span may record of each value it passes (time to first token, usage…). */
export type OnValue<T> = (span: Span, value: T) => void;

export interface SpanOptions<T> {
  /** Computed only when tracing is on. */
  attributes?: Attributes | (() => Attributes);
  kind?: SpanKind;
  /** The parent; default: the active context (the connection's, the answer's…). */
  parent?: Context;
  onValue?: OnValue<T>;
  /** The first value this says yes to is the first token: an event, and `realtime_rag.time_to_first_token_ms`. */
  isToken?: (value: T) => boolean;
  /** The outcome an error records (`realtime_rag.outcome`), e.g. its DifyError kind. */
  outcomeOf?: (error: unknown) => string;
}

/**
 * A span around a cold stream: started on subscribe and made the active context of the subscription
 * (so the spans of what it calls, and the logs it writes, are its children), ended when the stream
 * completes (`completed`), errs (the error's outcome, status ERROR) or is unsubscribed first
 * (`cancelled`). Tracing off: the stream unchanged.
 */
export function traced<T>(name: string, options: SpanOptions<T> = {}): MonoTypeOperatorFunction<T> {
  if (!tracingOn()) return (source) => source;
  return (source) =>
    new Observable<T>((subscriber) => {
      const parent = options.parent ?? context.active();
      const attributes = typeof options.attributes === 'function' ? options.attributes() : options.attributes;
      const span = tracer().startSpan(name, { attributes, kind: options.kind }, parent);
      const started = performance.now();
      let tokenSeen = false;
      let ended = false;
      const end = (outcome: string) => {
        if (ended) return;
        ended = true;
        span.setAttribute('realtime_rag.outcome', outcome);
        span.end();
      };
      const subscription = context.with(trace.setSpan(parent, span), () =>
        source.subscribe({
          next: (value) => {
            if (!tokenSeen && options.isToken?.(value)) {
              tokenSeen = true;
              span.addEvent('first_token');
              span.setAttribute('realtime_rag.time_to_first_token_ms', Math.round(performance.now() - started));
            }
            options.onValue?.(span, value);
            subscriber.next(value);
          },
          error: (error: unknown) => {
            span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
            end(options.outcomeOf?.(error) ?? 'error');
            subscriber.error(error);
          },
          complete: () => {
            end('completed');
            subscriber.complete();
          },
        }),
      );
      return () => {
        subscription.unsubscribe();
        end('cancelled');
      };
    });
}

/** `work` in a span of its own (a session store call): ended when its promise settles. Tracing off: `work()`. */
export function tracedCall<T>(name: string, work: () => Promise<T>, attributes?: Attributes, parent = context.active()): Promise<T> {
  if (!tracingOn()) return work();
  return tracer().startActiveSpan(name, { attributes }, parent, (span) =>
    work().then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        span.end();
        throw error;
      },
    ),
  );
}

type Headers = Record<string, string | string[] | undefined>;

/** The context a caller's W3C `traceparent` (and `tracestate`) header names: the root one without. */
export function contextOfHeaders(headers: Headers): Context {
  if (!tracingOn()) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, headers);
}

/** Each connection's context: its upgrade's traceparent, continued by every answer asked on it. */
const connectionContexts = new WeakMap<object, Context>();

/** Remembers the trace context of `connection`'s upgrade request. Tracing off: nothing. */
export function rememberTraceContext(connection: object, headers: Headers): void {
  if (tracingOn()) connectionContexts.set(connection, contextOfHeaders(headers));
}

/** `work` in `connection`'s trace context (what it starts belongs to the upgrade's trace). Tracing off: `work()`. */
export function inTraceContextOf<T>(connection: object, work: () => T): T {
  const remembered = tracingOn() ? connectionContexts.get(connection) : undefined;
  return remembered ? context.with(remembered, work) : work();
}

/** The active span's W3C traceparent, to be continued later elsewhere (a batch task's items); undefined when off. */
export function activeTraceparent(): string | undefined {
  return traceHeaders().traceparent;
}

/** The context a stored traceparent names (undefined: the active one). */
export function contextOfTraceparent(traceparent: string | undefined): Context | undefined {
  return traceparent && tracingOn() ? contextOfHeaders({ traceparent }) : undefined;
}

/** `traceparent` (and `tracestate`) of the active span, for a call upstream; nothing when tracing is off. */
export function traceHeaders(active: Context = context.active()): Record<string, string> {
  const headers: Record<string, string> = {};
  if (tracingOn()) propagation.inject(active, headers);
  return headers;
}

/** The active span's ids for a log line (`trace_id`, `span_id`), or nothing outside a sampled span. */
export function logFields(): { trace_id?: string; span_id?: string } {
  if (!tracingOn()) return {};
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/** A principal (or session) as an attribute: a short hash, so traces group by it without naming it. */
export function pseudonym(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}

/** A span begun now and ended later by `endSpanThen` (the turn's wait); undefined when tracing is off. */
export interface OpenSpan {
  span: Span;
  context: Context;
}

export function openSpan(name: string, attributes?: Attributes): OpenSpan | undefined {
  if (!tracingOn()) return undefined;
  const parent = context.active();
  const span = tracer().startSpan(name, { attributes }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/** Ends `open` and runs `work` in its context (what `work` starts is its child); without a span, `work()`. */
export function endSpanThen<T>(open: OpenSpan | undefined, work: () => T): T {
  if (!open) return work();
  open.span.end();
  return context.with(open.context, work);
}

/** A span of no duration in the active context (or a trace of its own): something that happened, such as a hand-over. */
export function markSpan(name: string, attributes?: Attributes): void {
  if (tracingOn()) tracer().startSpan(name, { attributes }).end();
}

/** An event on the active span (a hand-over, a resume's outcome); nothing when there is none. */
export function spanEvent(name: string, attributes?: Attributes): void {
  if (tracingOn()) trace.getActiveSpan()?.addEvent(name, attributes);
}
