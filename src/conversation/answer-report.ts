import { DifyRetrieverResource } from '../dify';
import { FinishReason, Source, SourcesMessage, UsageMessage } from '../protocol';
import { withoutUndefined } from '../session-hub';
import { AnswerEnd } from './answer-event';

/** Enough of a segment to show where an answer came from; the knowledge base has the rest. */
const SOURCE_CHARS = 300;

/** When an answer was asked and when its first chunk came (ms, on the Conversation's clock). */
export interface AnswerTiming {
  askedAt: number;
  firstChunkAt?: number;
}

/** Feature `sources`: Dify's retriever resources for a complete answer, segments trimmed. */
export function sourcesMessage(end: AnswerEnd | undefined, sessionId: string): SourcesMessage {
  return withoutUndefined({
    type: 'sources',
    message_id: end?.messageId,
    conversation_id: end?.conversationId,
    sources: (end?.sources ?? []).map(toSource),
    session_id: sessionId,
  });
}

/** Feature `usage`: timing of any answer, and Dify's token use when it reported one. */
export function usageMessage(
  timing: AnswerTiming,
  endedAt: number,
  reason: FinishReason,
  end: AnswerEnd | undefined,
  sessionId: string,
): UsageMessage {
  const usage = end?.usage;
  return withoutUndefined({
    type: 'usage',
    message_id: end?.messageId,
    finish_reason: reason,
    first_chunk_ms: timing.firstChunkAt === undefined ? undefined : timing.firstChunkAt - timing.askedAt,
    duration_ms: endedAt - timing.askedAt,
    prompt_tokens: usage?.prompt_tokens,
    completion_tokens: usage?.completion_tokens,
    total_tokens: usage?.total_tokens,
    total_price: usage?.total_price,
    currency: usage?.currency,
    upstream_latency_ms: typeof usage?.latency === 'number' ? Math.round(usage.latency * 1000) : undefined,
    session_id: sessionId,
  });
}

function toSource(resource: DifyRetrieverResource, index: number): Source {
  const content = resource.content ?? '';
  const chars = Array.from(content);
  return withoutUndefined({
    position: resource.position ?? index + 1,
    document_name: resource.document_name ?? '',
    content: chars.length > SOURCE_CHARS ? `${chars.slice(0, SOURCE_CHARS - 1).join('')}…` : content,
    dataset_id: resource.dataset_id,
    dataset_name: resource.dataset_name,
    document_id: resource.document_id,
    segment_id: resource.segment_id,
    score: typeof resource.score === 'number' ? resource.score : undefined,
  });
}
