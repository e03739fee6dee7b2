// Generated from docs/asyncapi.yaml by `npm run generate:protocol-types` (scripts/protocol-types.ts): do not edit.
// Conditional rules of the schemas (if/then/else), patterns and lengths are not expressed here.
/**
 * Names a session. The server makes one (a UUID) on connect; a client names the session to
 * continue (e.g. after a reconnect) in any message, and from then on the server uses that one.
 * 1–128 characters (UTF-16 code units), printable: no control or format characters (such as
 * zero-width or bidi controls), no lone surrogate halves, no line or paragraph separators.
 *
 */
export type SessionId = string;

/**
 * Why an answer ended: `complete` (Dify finished it), `interrupted` (a newer question or a shutdown cut it), `error` (an `error` message follows), or `length` (an addition: the answer reached the service's cap, MAX_ANSWER_CHARS code points, default 100,000; what was sent is kept, the rest was not generated: the service stopped it upstream). A client should treat a reason it does not know like `complete`.
 */
export type FinishReason = 'complete' | 'interrupted' | 'error' | 'length';

/**
 * An optional feature a connection can turn on.
 */
export type Feature = 'sources' | 'usage' | 'progress' | 'suggested' | 'tts' | 'batch';

export interface AsrChunk {
  type: 'asr_chunk';
  /**
   * The transcript piece. At most `MAX_TEXT_CHARS` characters (default 4000).
   */
  text: string;
  /**
   * True on the last, no longer revised, version of an utterance. `0` and `1`, as Python
   * clients of the replaced service send it, are taken as false and true; no other value is
   * (`"true"` or `2` get `error{INVALID_MESSAGE}`). The `ack` says it as a boolean.
   *
   */
  is_final?: boolean | (0 | 1);
  session_id?: SessionId;
  /**
   * The client's time of the chunk. Accepted for compatibility and ignored.
   */
  timestamp?: number | string;
}

export interface Control {
  type: 'control';
  action: 'pause' | 'resume' | 'stop' | 'instant_query';
  session_id?: SessionId;
}

export interface Keepalive {
  type: 'keepalive';
  session_id?: SessionId;
}

export interface Hello {
  type: 'hello';
  /**
   * The features to have on from now on (replaces the set). Unknown names are ignored. At most 16 names of at most 64 characters.
   *
   * @maxItems 16
   */
  features: string[];
  /**
   * The session's values for the Dify app's input variables, by variable name.
   */
  inputs?: {
    [k: string]: unknown;
  };
  /**
   * The app (knowledge base) to ask from now on, before the first question; see `?app=`.
   */
  app?: string;
  session_id?: SessionId;
}

export interface Feedback {
  type: 'feedback';
  answer_id: string;
  rating: 'like' | 'dislike' | null;
  content?: string;
  session_id?: SessionId;
}

export interface Resume {
  type: 'resume';
  session_id: SessionId;
  answer_id: string;
  /**
   * Code points of the answer's content the client has (since the last replace).
   */
  offset: number;
  /**
   * The stream_index the client expects next.
   */
  stream_index: number;
}

export type Ack = {
  type: 'ack';
  /**
   * `connected` on connect; `paused` when an asr_chunk was ignored because the session is paused.
   */
  message?: 'connected' | 'paused';
  /**
   * The type of the inbound message acknowledged.
   */
  received_type?: 'asr_chunk' | 'control' | 'keepalive' | 'hello' | 'resume' | 'feedback';
  /**
   * For an acknowledged asr_chunk (not a paused one), its is_final.
   */
  is_final?: boolean;
  /**
   * For an acknowledged hello, the features now on for this connection.
   */
  features?: Feature[];
  session_id: SessionId;
} & (
  | {
      message: 'connected';
      received_type?: never;
    }
  | {
      message?: 'paused';
    }
);

export interface Status {
  type: 'status';
  stage:
    'listening' | 'paused' | 'waiting_for_question' | 'analyzing' | 'instant_query' | 'querying_rag' | 'interrupting' | 'idle' | 'closed';
  /**
   * A human-readable detail.
   */
  note?: string;
  /**
   * The question asked (with analyzing, instant_query and querying_rag).
   */
  question?: string;
  /**
   * `instant` for a turn started by control{instant_query}.
   */
  mode?: 'instant';
  /**
   * On `querying_rag`, the answer it starts (every chunk of it carries this id).
   */
  answer_id?: string;
  session_id: SessionId;
}

export interface Answer {
  type: 'answer';
  /**
   * 0, 1, 2… within one answer.
   */
  stream_index: number;
  /**
   * This chunk's text, exactly as Dify produced it (may be empty).
   */
  content: string;
  /**
   * True on the answer's last chunk.
   */
  final: boolean;
  /**
   * This chunk's content replaces everything before it in this answer.
   */
  replace?: true;
  finish_reason?: FinishReason;
  /**
   * Which answer this chunk belongs to (an addition; the id to resume it by).
   */
  answer_id: string;
  session_id: SessionId;
}

export interface Error {
  type: 'error';
  /**
   * INVALID_JSON, INVALID_MESSAGE (bad field, or binary frame), UNSUPPORTED_TYPE (unknown
   * `type`), UNKNOWN_ACTION (control), NO_FINAL_ASR (instant_query with no final text yet),
   * EMPTY_QUESTION (empty final chunk), TEXT_TOO_LONG (`text` over MAX_TEXT_CHARS),
   * RATE_LIMITED (too many messages; this one was dropped), SERVER_BUSY (too many answers
   * streaming at once), SESSION_STORE_UNAVAILABLE (Redis), SERVER_ERROR (a bug; retryable),
   * UPSTREAM_UNAUTHORIZED (Dify refused the service's key), UPSTREAM_NOT_FOUND,
   * UPSTREAM_RATE_LIMITED, UPSTREAM_TIMEOUT, UPSTREAM_UNAVAILABLE, UPSTREAM_STREAM_INTERRUPTED
   * (Dify's answer was cut off), UPSTREAM_EVENT_TOO_LARGE (one stream event from Dify was longer
   * than DIFY_MAX_EVENT_CHARS; not retryable), RAG_ERROR (any other Dify failure), SHUTTING_DOWN (the
   * instance is stopping: the socket closes with 1001; reconnect and resume a handed-over
   * answer, or ask again; retryable), RESUME_UNAVAILABLE (the answer named in `resume` is
   * unknown here or no longer kept: ask again), UNKNOWN_ANSWER (the answer named in `feedback`
   * is not one of this session's that Dify saved), UNSUPPORTED_BY_APP (the session's app is
   * served by a provider that cannot do this: feedback, suggested questions or speech on a
   * RAGFlow, FastGPT or OpenAI-compatible app; the message names the app; not retryable),
   * SESSION_NOT_ALLOWED (the message names a `session_id` other than the one the connection's
   * token is limited to by its `session_id` claim: the message is dropped, the connection stays
   * open), UNKNOWN_APP (the `app` of a `hello` does not exist or this
   * connection may not use it).
   * For an app of another provider the UPSTREAM_* codes and RAG_ERROR mean the same of that
   * provider, and `upstream_status`/`upstream_code` are its own.
   *
   */
  code:
    | 'INVALID_JSON'
    | 'INVALID_MESSAGE'
    | 'UNSUPPORTED_TYPE'
    | 'UNKNOWN_ACTION'
    | 'NO_FINAL_ASR'
    | 'EMPTY_QUESTION'
    | 'RAG_ERROR'
    | 'SERVER_ERROR'
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
    | 'SHUTTING_DOWN'
    | 'RESUME_UNAVAILABLE'
    | 'UNKNOWN_ANSWER'
    | 'UNSUPPORTED_BY_APP'
    | 'SESSION_NOT_ALLOWED'
    | 'UNKNOWN_APP';
  /**
   * Safe to show; never an upstream body.
   */
  message: string;
  /**
   * Whether sending the same thing again later can succeed.
   */
  retryable?: boolean;
  /**
   * Dify's HTTP status, for upstream failures when it gave one.
   */
  upstream_status?: number;
  /**
   * Dify's error `code`, for upstream failures when it gave one.
   */
  upstream_code?: string;
  session_id?: SessionId;
}

export interface Source {
  /**
   * Dify's rank of this segment (1 first).
   */
  position: number;
  dataset_id?: string;
  dataset_name?: string;
  document_id?: string;
  document_name: string;
  segment_id?: string;
  /**
   * Retrieval score; absent or null when Dify gives none.
   */
  score?: number | null;
  /**
   * The segment's text, trimmed to 300 characters with … at the end when cut.
   */
  content: string;
}

export interface Sources {
  type: 'sources';
  session_id: SessionId;
  /**
   * Dify's id of the answer's message, when it gave one.
   */
  message_id?: string;
  /**
   * Dify's conversation id, when it gave one.
   */
  conversation_id?: string;
  sources: Source[];
}

export interface Usage {
  type: 'usage';
  session_id: SessionId;
  /**
   * Dify's id of the answer's message, when it gave one.
   */
  message_id?: string;
  finish_reason: FinishReason;
  /**
   * From sending the question to Dify to the first chunk; present when any chunk arrived.
   */
  first_chunk_ms?: number;
  /**
   * From sending the question to Dify to the final chunk.
   */
  duration_ms: number;
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  /**
   * Dify's price of the answer, a decimal string.
   */
  total_price?: string;
  currency?: string;
  /**
   * Dify's own reported latency, in milliseconds.
   */
  upstream_latency_ms?: number;
}

export interface Progress {
  type: 'progress';
  answer_id: string;
  /**
   * Dify's node type (`knowledge-retrieval`, `llm`, `tool`, `code`…); `tool` for an agent's tool call; `thinking` while a model reasons; `node` for a FastGPT workflow node.
   */
  step: string;
  /**
   * The node's title, or the tool's name.
   */
  name?: string;
  state: 'started' | 'finished';
  session_id: SessionId;
}

export interface Suggested {
  type: 'suggested';
  answer_id: string;
  questions: string[];
  session_id: SessionId;
}

export interface Audio {
  type: 'audio';
  answer_id: string;
  /**
   * The next bytes of the answer's audio file (as `format` says), base64; empty on the last message.
   */
  audio: string;
  /**
   * `mp3` as Dify makes it; `wav` from the embedded local server.
   */
  format: 'mp3' | 'wav';
  final: boolean;
  session_id: SessionId;
}

export interface BatchProgress {
  type: 'batch_progress';
  task_id: string;
  /**
   * Items done (answered or failed) of the task's items, in percent.
   */
  progress: number;
  status: 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
  /**
   * For people, how far the task is, or why it failed.
   */
  message: string;
  /**
   * When the task moved on, ISO 8601 in UTC.
   */
  timestamp: string;
}

/** A message a client sends. */
export type ClientMessage = AsrChunk | Control | Keepalive | Hello | Resume | Feedback;

/** A message the server sends. */
export type ServerMessage = Ack | Status | Answer | Error | Sources | Usage | Progress | Suggested | Audio | BatchProgress;
