import { MonoTypeOperatorFunction } from 'rxjs';
import { SpanKind, traced } from '../tracing';
import { DifyError } from './dify-error';
import { DifyChatRequest, DifyEvent } from './dify.types';

/**
 * The span of one streamed chat call to Dify, its retries included (each an event `retry`; every
 * attempt sends this span's traceparent on): time to the first token, tokens used, how it ended
 * (`completed`, `cancelled`, or the DifyError kind). Tracing off: the stream unchanged.
 */
export function traceChat(request: DifyChatRequest): MonoTypeOperatorFunction<DifyEvent> {
  return traced<DifyEvent>('dify.chat-messages', {
    kind: SpanKind.CLIENT,
    attributes: () => ({
      'http.request.method': 'POST',
      'realtime_rag.upstream': 'dify',
      'realtime_rag.conversation_continued': request.conversationId !== undefined,
    }),
    isToken: (event) => event.kind === 'text' || event.kind === 'replace',
    onValue: (span, event) => {
      if (event.kind !== 'end') return;
      span.setAttribute('realtime_rag.finish_reason', 'message_end');
      const { prompt_tokens, completion_tokens } = event.usage ?? {};
      if (prompt_tokens !== undefined) span.setAttribute('gen_ai.usage.input_tokens', prompt_tokens);
      if (completion_tokens !== undefined) span.setAttribute('gen_ai.usage.output_tokens', completion_tokens);
    },
    outcomeOf: (error) => (error instanceof DifyError ? error.kind : 'error'),
  });
}
