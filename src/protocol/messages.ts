/**
 * The WebSocket protocol's messages, as the replaced Python service spoke them (shared/protocol.md).
 * Fields are only ever added, never renamed or reshaped: existing clients must keep working.
 */

export const INBOUND_TYPES = ['asr_chunk', 'control', 'keepalive', 'hello', 'resume', 'feedback'] as const;
export type InboundType = (typeof INBOUND_TYPES)[number];

/** Inbound messages nest objects and arrays at most this deep (the message object itself is level 1). */
export const MAX_JSON_DEPTH = 8;

export const CONTROL_ACTIONS = ['pause', 'resume', 'stop', 'instant_query'] as const;
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

/**
 * Opt-in additions to the protocol, per connection (`?features=sources,usage` or a `hello` message):
 * off by default, so a client that asks for nothing sees exactly the original protocol.
 */
export const FEATURES = ['sources', 'usage', 'progress', 'suggested', 'tts', 'batch'] as const;
export type Feature = (typeof FEATURES)[number];

/** The known features among `names`, in FEATURES order; unknown names are ignored (forward compatible). */
export function knownFeatures(names: readonly string[]): Feature[] {
  return FEATURES.filter((feature) => names.includes(feature));
}

export type Stage =
  'listening' | 'paused' | 'waiting_for_question' | 'analyzing' | 'instant_query' | 'querying_rag' | 'interrupting' | 'idle' | 'closed';

export interface AckMessage {
  type: 'ack';
  /** `connected` on connect; `paused` when an asr_chunk was ignored because the session is paused. */
  message?: 'connected' | 'paused';
  received_type?: InboundType;
  is_final?: boolean;
  /** On the ack of a `hello`: the features now on for this connection. */
  features?: Feature[];
  session_id: string;
}

export interface StatusMessage {
  type: 'status';
  stage: Stage;
  note?: string;
  question?: string;
  /** `instant` for a turn started by control{instant_query}. */
  mode?: 'instant';
  /** On `querying_rag`: the answer this starts (every chunk of it carries the same id). */
  answer_id?: string;
  session_id: string;
}

/**
 * Why an answer ended; set on its `final` chunk (an addition to the original protocol). `length`:
 * the answer reached MAX_ANSWER_CHARS and was stopped there.
 */
export type FinishReason = 'complete' | 'interrupted' | 'error' | 'length';

export interface AnswerMessage {
  type: 'answer';
  stream_index: number;
  content: string;
  final: boolean;
  /** This chunk's content replaces everything before it in this answer (Dify's moderation `message_replace`). */
  replace?: true;
  finish_reason?: FinishReason;
  /** Which answer this chunk belongs to: the id to resume it by. */
  answer_id: string;
  session_id: string;
}

export interface ErrorMessage {
  type: 'error';
  code: ErrorCode;
  message: string;
  /** Whether sending the same thing again later can succeed. */
  retryable?: boolean;
  /** For upstream failures: Dify's HTTP status and its error `code`, when it gave them. */
  upstream_status?: number;
  upstream_code?: string;
  session_id?: string;
}

/** One passage Dify's retrieval gave the model (Dify's `retriever_resources`). */
export interface Source {
  position: number;
  document_name: string;
  /** The segment's text, trimmed. */
  content: string;
  dataset_id?: string;
  dataset_name?: string;
  document_id?: string;
  segment_id?: string;
  score?: number;
}

/** Feature `sources`: where a complete answer came from; sent right after its final chunk. */
export interface SourcesMessage {
  type: 'sources';
  message_id?: string;
  conversation_id?: string;
  sources: Source[];
  session_id: string;
}

/** Feature `usage`: an answer's timing and, when Dify reported it, its token use; after every answer. */
export interface UsageMessage {
  type: 'usage';
  message_id?: string;
  finish_reason: FinishReason;
  /** From asking Dify to the first chunk. */
  first_chunk_ms?: number;
  /** From asking Dify to the final chunk. */
  duration_ms: number;
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  total_price?: string;
  currency?: string;
  /** Dify's own measure of the call. */
  upstream_latency_ms?: number;
  session_id: string;
}

/** Feature `progress`: a step of the Dify app's work while it prepares an answer (a chatflow node, an agent's tool). */
export interface ProgressMessage {
  type: 'progress';
  answer_id: string;
  /** Dify's node type (`knowledge-retrieval`, `llm`, `tool`, `code`…); `tool` for an agent's tool call. */
  step: string;
  /** The node's title, or the tool's name. */
  name?: string;
  state: 'started' | 'finished';
  session_id: string;
}

/** Feature `suggested`: follow-up questions Dify suggests after a complete answer. */
export interface SuggestedMessage {
  type: 'suggested';
  answer_id: string;
  questions: string[];
  session_id: string;
}

/** Feature `tts`: the spoken answer as the Dify app synthesises it, in order; concatenated, one audio file. */
export interface AudioMessage {
  type: 'audio';
  answer_id: string;
  /** Base64 of the next bytes of the audio file; empty on the last message. */
  audio: string;
  /** `mp3` from Dify; `wav` from the embedded local server. */
  format: AudioFormat;
  /** The last audio message of this answer (Dify's tts_message_end). */
  final: boolean;
  session_id: string;
}

export type AudioFormat = 'mp3' | 'wav';

/**
 * Feature `batch` (the replaced service's message): a batch task of this connection's principal moved
 * on. Sent at most every 250 ms a task, and always when it ends; not tied to a session.
 */
export interface BatchProgressMessage {
  type: 'batch_progress';
  task_id: string;
  /** Items done (answered or failed) of all, in percent: 0–100. */
  progress: number;
  status: 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
  /** For people: how far it is, or why it failed. */
  message: string;
  /** When it moved on, ISO 8601. */
  timestamp: string;
}

export type OutboundMessage =
  | AckMessage
  | StatusMessage
  | AnswerMessage
  | ErrorMessage
  | SourcesMessage
  | UsageMessage
  | ProgressMessage
  | SuggestedMessage
  | AudioMessage
  | BatchProgressMessage;

export type ErrorCode =
  // The original service's codes.
  | 'INVALID_JSON'
  | 'INVALID_MESSAGE'
  | 'UNSUPPORTED_TYPE'
  | 'UNKNOWN_ACTION'
  | 'NO_FINAL_ASR'
  | 'EMPTY_QUESTION'
  | 'RAG_ERROR'
  | 'SERVER_ERROR'
  // Ours, specific enough for a client to act on.
  | 'TEXT_TOO_LONG'
  | 'RATE_LIMITED'
  | 'SERVER_BUSY'
  | 'SESSION_STORE_UNAVAILABLE'
  | 'UPSTREAM_UNAUTHORIZED'
  | 'UPSTREAM_NOT_FOUND'
  | 'UPSTREAM_RATE_LIMITED'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_STREAM_INTERRUPTED'
  | 'UPSTREAM_EVENT_TOO_LARGE'
  | 'RESUME_UNAVAILABLE'
  | 'UNKNOWN_ANSWER'
  | 'SHUTTING_DOWN';
