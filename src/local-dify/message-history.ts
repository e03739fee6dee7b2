import { randomUUID } from 'node:crypto';
import { ConversationStore, StoredMessage, UUID } from './conversation-store';
import { conversationNotExists, HttpError } from './http-error';
import { retrieverResources, usage } from './reply-events';

/** Service API messages have no parent: Dify gives them the nil UUID, not null. */
const NO_PARENT = '00000000-0000-0000-0000-000000000000';

/**
 * `GET /messages?conversation_id=&user=&first_id=&limit=`, as Dify answers it: the newest `limit`
 * messages (1–100, default 20), or those before `first_id`; each page oldest first, `has_more` when
 * older ones remain. A message is listed from the start of its generation, its answer empty until
 * generation ended.
 *
 * Refuses as Dify does: a malformed parameter 400 `invalid_param`; an unknown conversation, or one of
 * another user (or of none: Dify then asks as its default user) 404 "Conversation Not Exists.";
 * an unknown `first_id` 404 "First Message Not Exists.". An empty `conversation_id` lists nothing.
 */
export function messageHistory(params: URLSearchParams, conversations: ConversationStore): object {
  const conversationId = uuidParam(params, 'conversation_id', true);
  const firstId = uuidParam(params, 'first_id', false);
  const limit = limitParam(params.get('limit'));
  if (!conversationId) return { limit, has_more: false, data: [] };
  const conversation = conversations.owned(conversationId, params.get('user'));
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
    feedback: null,
    retriever_resources: answered
      ? retrieverResources(message.hits).map((r) => ({
          // Dify saves the sources without ids and makes them up when it lists them.
          id: randomUUID(),
          message_id: message.id,
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
          created_at: message.createdAt,
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

/** Pydantic's message for one bad field, as Dify's 400 carries it. */
function invalid(field: string, problem: string): HttpError {
  return new HttpError(400, 'invalid_param', `1 validation error for MessageListQuery\n${field}\n  ${problem}`);
}

function uuidParam(params: URLSearchParams, name: string, required: boolean): string | undefined {
  const value = params.get(name);
  if (value === null && required) throw invalid(name, 'Field required [type=missing]');
  if (value && !UUID.test(value)) throw invalid(name, 'Value error, must be a valid UUID [type=value_error]');
  return value || undefined;
}

function limitParam(value: string | null): number {
  if (value === null) return 20;
  if (!/^[+-]?\d+$/.test(value))
    throw invalid('limit', 'Input should be a valid integer, unable to parse string as an integer [type=int_parsing]');
  const limit = Number(value);
  if (limit < 1) throw invalid('limit', 'Input should be greater than or equal to 1 [type=greater_than_equal]');
  if (limit > 100) throw invalid('limit', 'Input should be less than or equal to 100 [type=less_than_equal]');
  return limit;
}
