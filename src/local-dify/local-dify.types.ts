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
  /**
   * Text to speech on, with auto-play: `/parameters` says so, `/text-to-audio` answers with a WAV,
   * and a stream reads its answer aloud (`tts_message` events, then `tts_message_end`). Default false.
   */
  tts?: boolean;
  /** The app's input form (`user_input_form` in `/parameters`), as Dify lists it; default none. */
  inputForm?: object[];
  /** Seeds the split points, read once at construction. */
  seed?: number;
  /**
   * Keep `requests`, `streams` and `stopCalls` for tests to read (default true). They grow with every
   * request, so a server that runs for a developer (the embedded default, the CLI) is given false.
   */
  record?: boolean;
}

/**
 * A failure to play on the next POST /chat-messages (one fault per request, first in first out).
 * `error-event` and `message-replace` change the message itself (what is generated and saved); the
 * others only the HTTP reply, while the message is generated and saved as usual.
 */
export type LocalDifyFault =
  /** An HTTP error before any stream: Dify's JSON envelope, or a proxy's HTML page. No message. */
  | { kind: 'http'; status: number; code?: string; message?: string; html?: boolean }
  /**
   * N message events, then the generation fails: an in-stream `error` event and the end (blocking:
   * this HTTP error); saved with status `error`.
   */
  | { kind: 'error-event'; afterChunks: number; status?: number; code?: string; message?: string }
  /** N message events, then the reply ends without `message_end`, as a network cut does; generation goes on (streaming only). */
  | { kind: 'cut'; afterChunks: number }
  /** 200, headers and pings, never an event, as a stuck relay does; generation goes on (streaming only). */
  | { kind: 'hang' }
  /** Headers only after a while (the request waits in front of Dify), then a normal answer. */
  | { kind: 'delay-headers'; ms: number }
  /** The socket destroyed without any response. No message. */
  | { kind: 'destroy' }
  /** N message events, then `message_replace` with this answer, then `message_end`; the saved (and blocking) answer is this one. */
  | { kind: 'message-replace'; afterChunks: number; answer: string }
  /** Answer text without end (the answer over and over), a piece every `chunkDelayMs`, until a stop call or `close()` ends it. */
  | { kind: 'endless' }
  /** The request read, then nothing ever: no status line, no headers, until the client goes (a hung worker or proxy). No message. */
  | { kind: 'silent' };

/** What happened to one HTTP reply. */
export type StreamOutcome = 'open' | 'completed' | 'stopped' | 'client-closed' | 'fault';

/** What happened to the message's generation, which goes on when the HTTP client is gone. */
export type GenerationState = 'running' | 'completed' | 'stopped' | 'failed';

/** One accepted POST /chat-messages (past validation and any HTTP-level fault). */
export interface StreamRecord {
  taskId: string;
  messageId: string;
  conversationId: string;
  user: string;
  query: string;
  mode: 'streaming' | 'blocking';
  /** The whole answer the generation gives unless stopped (a `message-replace` fault replaces it). */
  answer: string;
  /**
   * The HTTP reply: `client-closed` when its client went away before it ended, `stopped` when a stop
   * call ended it early, `fault` when an injected fault shaped it.
   */
  outcome: StreamOutcome;
  /**
   * The answer's generation: `running` until it ends, then `completed`, `stopped` (by a stop call
   * or `close()`), or `failed` (an `error-event` fault).
   */
  generation: GenerationState;
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
