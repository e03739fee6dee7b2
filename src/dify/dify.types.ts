/** What one turn asks Dify (POST /chat-messages). */
export interface DifyChatRequest {
  query: string;
  /** Stable per session: Dify binds a conversation to the user that created it. */
  user: string;
  /** Absent starts a new conversation. */
  conversationId?: string;
  inputs?: Record<string, unknown>;
  /** Read on after the text's end (`message_end`) until the spoken answer's (`tts_message_end`): Dify sends the rest of the audio after the text. */
  speech?: boolean;
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

/** A step of the app's work around the answer text: a chatflow node, or an agent's tool call. */
export interface DifyStep {
  /** Dify's node_type (`knowledge-retrieval`, `llm`, `tool`, `code`…), or `tool` for an agent's tool call. */
  type: string;
  /** The node's title, or the tool's name. */
  name?: string;
  state: 'started' | 'finished';
}

/**
 * Dify's stream events, normalised across app types (chatbot, agent, chatflow):
 * - `text`: the next piece of the answer, to append;
 * - `replace`: the whole answer so far becomes `text` (moderation, or a New Agent's closing message);
 * - `end`: the answer is complete (`message_end`);
 * - `progress`: anything else, not answer text; with `step` for a workflow node or an agent's tool call;
 * - `audio`: a piece of the spoken answer (`tts_message`: base64 MP3), `end` at `tts_message_end`.
 */
export type DifyEvent =
  | ({ kind: 'text'; text: string } & DifyEventIds)
  | ({ kind: 'replace'; text: string } & DifyEventIds)
  | ({ kind: 'end'; usage?: DifyUsage; retrieverResources: DifyRetrieverResource[] } & DifyEventIds)
  | ({ kind: 'progress'; event: string; step?: DifyStep } & DifyEventIds)
  | ({ kind: 'audio'; audio: string; end: boolean } & DifyEventIds);

/** The part of an app's `GET /parameters` this service reads: its input form, whether it speaks. */
export interface DifyAppParameters {
  /** One control per input variable, keyed by its kind (`text-input`, `paragraph`, `select`, `number`, …). */
  user_input_form?: Array<Record<string, DifyInputControl | undefined>>;
  /** Text to speech; with `autoPlay: 'enabled'` Dify streams the answer's audio (`tts_message` events). */
  text_to_speech?: { enabled?: boolean; autoPlay?: string };
}

export interface DifyInputControl {
  variable: string;
  label?: string;
  required?: boolean;
  max_length?: number;
  options?: string[];
}

export type DifyFeedbackRating = 'like' | 'dislike' | null;

/** A blocking-mode answer. */
export interface DifyChatResult {
  answer: string;
  taskId: string;
  messageId: string;
  conversationId: string;
  usage?: DifyUsage;
  retrieverResources: DifyRetrieverResource[];
}
