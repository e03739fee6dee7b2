export type AppMode = 'chat' | 'agent-chat' | 'advanced-chat';

export interface LocalDifyOptions {
  /** Accepted app keys. */
  apiKeys?: string[];
  /** The markdown knowledge base's folder. */
  knowledgeDir?: string;
  /** Answer text per `message` event, in code points. */
  chunkChars?: number;
  /** Pause between two `message` events. */
  chunkDelayMs?: number;
  /** Pause before the first `message` event, like a model's first token. */
  firstChunkDelayMs?: number;
  /** `event: ping` cadence while a stream is open. */
  pingIntervalMs?: number;
  /** Write each frame in pieces cut at random bytes, as a network may deliver them. */
  splitWrites?: boolean;
  /** \r\n line endings. */
  crlf?: boolean;
  /** Dify's pre-1.8.1 stream JSON: spaced, with \u escapes. */
  legacyJson?: boolean;
  /** Which app type's event sequence to speak. */
  appMode?: AppMode;
  /** Seeds the split points. */
  seed?: number;
}

/** A failure to play on the next POST /chat-messages (one fault per request, first in first out). */
export type LocalDifyFault =
  /** An HTTP error before any stream: Dify's JSON envelope, or a proxy's HTML page. */
  | { kind: 'http'; status: number; code?: string; message?: string; html?: boolean }
  /** N message events, then an in-stream `error` event, then the end. */
  | { kind: 'error-event'; afterChunks: number; status?: number; code?: string; message?: string }
  /** N message events, then the end without `message_end`. */
  | { kind: 'cut'; afterChunks: number }
  /** 200, headers and pings, never an event (a chatflow with a bad conversation does this). */
  | { kind: 'hang' }
  /** Headers only after a while, then a normal answer. */
  | { kind: 'delay-headers'; ms: number }
  /** The socket destroyed without any response. */
  | { kind: 'destroy' }
  /** N message events, then `message_replace` with this answer, then `message_end`. */
  | { kind: 'message-replace'; afterChunks: number; answer: string };

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
  outcome: 'open' | 'completed' | 'stopped' | 'client-closed' | 'fault';
  chunksSent: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  at: number;
}
