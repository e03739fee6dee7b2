import { ConversationStore, StoredMessage } from './conversation-store';
import { conversationNotExists, HttpError } from './http-error';
import { usage } from './reply-events';
import { endUser, intParam, uuidParam } from './request-params';

/** Service API messages have no parent: Dify gives them the nil UUID, not null. */
const NO_PARENT = '00000000-0000-0000-0000-000000000000';
const MODEL = 'MessageListQuery';

/**
 * `GET /messages?conversation_id=&user=&first_id=&limit=`, as Dify answers it: the newest `limit`
 * messages (1–100, default 20), or those before `first_id`; each page oldest first, `has_more` when
 * older ones remain. A message is listed from the start of its generation, its answer empty until
 * generation ended.
 *
 * Refuses as Dify does: a malformed parameter 400 `invalid_param`; an unknown conversation, or one of
 * another user (or of none: Dify then asks as its default end user) 404 "Conversation Not Exists.";
 * an unknown `first_id` 404 "First Message Not Exists.". An empty `conversation_id` lists nothing.
 */
export function messageHistory(params: URLSearchParams, conversations: ConversationStore): object {
  const conversationId = uuidParam(params, MODEL, 'conversation_id', true);
  const firstId = uuidParam(params, MODEL, 'first_id');
  const limit = intParam(params, MODEL, 'limit', { min: 1, max: 100, fallback: 20 });
  if (!conversationId) return { limit, has_more: false, data: [] };
  const conversation = conversations.owned(conversationId, endUser(params.get('user')));
  if (!conversation) throw conversationNotExists();
  const { messages } = conversation;
  const end = firstId ? messages.findIndex((m) => m.id === firstId) : messages.length;
  if (end < 0) throw new HttpError(404, 'not_found', 'First Message Not Exists.');
  const start = Math.max(0, end - limit);
  return { limit, has_more: start > 0, data: messages.slice(start, end).map(historyItem) };
}

/** Dify's `MessageListItem`, fields in its order. */
function historyItem(message: StoredMessage): object {
  const { saved } = message;
  const answered = saved && 'answer' in saved ? saved : undefined;
  const cost = answered && usage(message.query, answered.answer, answered.latency);
  return {
    id: message.id,
    conversation_id: message.conversationId,
    parent_message_id: NO_PARENT,
    // The app declares no input variables (its user_input_form is empty), so Dify keeps none of the inputs sent.
    inputs: {},
    query: message.query,
    answer: answered?.answer ?? '',
    feedback: message.feedback ? { rating: message.feedback.rating } : null,
    retriever_resources: answered
      ? message.sources.map((r) => ({
          id: r.id,
          message_id: r.message_id,
          position: r.position,
          dataset_id: r.dataset_id,
          dataset_name: r.dataset_name,
          document_id: r.document_id,
          document_name: r.document_name,
          data_source_type: r.data_source_type,
          segment_id: r.segment_id,
          score: r.score,
          hit_count: r.hit_count,
          word_count: r.word_count,
          segment_position: r.segment_position,
          index_node_hash: r.index_node_hash,
          content: r.content,
          summary: r.summary,
          created_at: r.created_at,
        }))
      : [],
    created_at: message.createdAt,
    agent_thoughts: message.thoughts.map((t) => ({
      id: t.id,
      chain_id: null,
      message_id: message.id,
      position: t.position,
      thought: t.thought,
      tool: t.tool,
      tool_labels: {},
      tool_input: t.toolInput,
      created_at: message.createdAt,
      observation: t.observation,
      files: [],
    })),
    message_files: [],
    message_tokens: cost?.prompt_tokens ?? 0,
    answer_tokens: cost?.completion_tokens ?? 0,
    provider_response_latency: answered?.latency ?? 0,
    total_price: cost?.total_price ?? '0.0000000',
    currency: 'USD',
    status: saved && 'error' in saved ? 'error' : 'normal',
    error: saved && 'error' in saved ? saved.error : null,
    extra_contents: [],
    total_tokens: cost?.total_tokens ?? 0,
  };
}
