export type AppMode = 'chat' | 'agent-chat' | 'advanced-chat';

export interface LocalDifyOptions {
  /** Accepted app keys (default ['app-local-dify']). */
  apiKeys?: string[];
  /** The markdown knowledge base's folder, read once at construction (default: the built-in one). */
  knowledgeDir?: string;
  /** Answer text per `message` event, in code points (default 6). */
  chunkChars?: number;
  /** Pause between two `message` events (default 25). */
  chunkDelayMs?: number;
  /** Pause before the first `message` event, like a model's first token (default 150). */
  firstChunkDelayMs?: number;
  /** `event: ping` cadence while a stream is open (default 10000). */
  pingIntervalMs?: number;
  /** Write each frame in pieces cut at random bytes (inside UTF-8 characters too), as a network may deliver them. */
  splitWrites?: boolean;
  /** \r\n line endings in the stream. */
  crlf?: boolean;
  /** Dify's pre-1.8.1 stream JSON: spaced, non-ASCII as \uXXXX (default: compact, raw UTF-8). */
  legacyJson?: boolean;
  /** Which app type's event sequence to speak (default 'chat'). */
  appMode?: AppMode;
  /** Seeds the split points, read once at construction. */
  seed?: number;
  /**
   * Keep `requests`, `streams` and `stopCalls` for tests to read (default true). They grow with every
   * request, so a server that runs for a developer (the embedded default, the CLI) is given false.
   */
  record?: boolean;
}

/** A failure to play on the next POST /chat-messages (one fault per request, first in first out). */
export type LocalDifyFault =
  /** An HTTP error before any stream: Dify's JSON envelope, or a proxy's HTML page. */
  | { kind: 'http'; status: number; code?: string; message?: string; html?: boolean }
  /** N message events, then an in-stream `error` event, then the end (streaming only). */
  | { kind: 'error-event'; afterChunks: number; status?: number; code?: string; message?: string }
  /** N message events, then the end without `message_end` (streaming only). */
  | { kind: 'cut'; afterChunks: number }
  /** 200, headers and pings, never an event (a chatflow with a bad conversation does this). */
  | { kind: 'hang' }
  /** Headers only after a while, then a normal answer. */
  | { kind: 'delay-headers'; ms: number }
  /** The socket destroyed without any response. */
  | { kind: 'destroy' }
  /** N message events, then `message_replace` with this answer, then `message_end`. */
  | { kind: 'message-replace'; afterChunks: number; answer: string };

export type StreamOutcome = 'open' | 'completed' | 'stopped' | 'client-closed' | 'fault';

/** One accepted POST /chat-messages (past validation and any HTTP-level fault). */
export interface StreamRecord {
  taskId: string;
  messageId: string;
  conversationId: string;
  user: string;
  query: string;
  mode: 'streaming' | 'blocking';
  /** The whole answer this reply was meant to give. */
  answer: string;
  /** `client-closed`: the HTTP client went away before the reply ended. */
  outcome: StreamOutcome;
  /** Answer-text events sent (`message` or `agent_message`). */
  chunksSent: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed as JSON when possible, else the raw text ('' when empty). */
  body: unknown;
  at: number;
}
