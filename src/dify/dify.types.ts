/** What one turn asks Dify (POST /chat-messages). */
export interface DifyChatRequest {
  query: string;
  /** Stable per session: Dify binds a conversation to the user that created it. */
  user: string;
  /** Absent starts a new conversation. */
  conversationId?: string;
  inputs?: Record<string, unknown>;
}

export interface DifyUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  total_price?: string;
  currency?: string;
  latency?: number;
}

export interface DifyRetrieverResource {
  position?: number;
  dataset_id?: string;
  dataset_name?: string;
  document_id?: string;
  document_name?: string;
  segment_id?: string;
  score?: number;
  content?: string;
}

interface DifyEventIds {
  taskId?: string;
  messageId: string;
  conversationId: string;
}

/**
 * Dify's stream events, normalised across app types (chatbot, agent, chatflow):
 * - `text`: the next piece of the answer, to append;
 * - `replace`: the whole answer so far becomes `text` (moderation, or a New Agent's closing message);
 * - `end`: the answer is complete (`message_end`);
 * - `progress`: anything else (agent thoughts, workflow nodes, files, audio), not answer text.
 */
export type DifyEvent =
  | ({ kind: 'text'; text: string } & DifyEventIds)
  | ({ kind: 'replace'; text: string } & DifyEventIds)
  | ({ kind: 'end'; usage?: DifyUsage; retrieverResources: DifyRetrieverResource[] } & DifyEventIds)
  | ({ kind: 'progress'; event: string } & DifyEventIds);

/** A blocking-mode answer. */
export interface DifyChatResult {
  answer: string;
  taskId: string;
  messageId: string;
  conversationId: string;
  usage?: DifyUsage;
  retrieverResources: DifyRetrieverResource[];
}
