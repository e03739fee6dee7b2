export { startTracing, stopTracing, flushTracing, tracesWanted, tracingOn } from './tracing';
export {
  traced,
  tracedCall,
  contextOfHeaders,
  traceHeaders,
  logFields,
  pseudonym,
  spanEvent,
  markSpan,
  openSpan,
  endSpanThen,
  OpenSpan,
  rememberTraceContext,
  inTraceContextOf,
  activeTraceparent,
  contextOfTraceparent,
  OnValue,
  SpanOptions,
} from './spans';
export { TracingModule } from './tracing.module';
export { SpanKind } from '@opentelemetry/api';
