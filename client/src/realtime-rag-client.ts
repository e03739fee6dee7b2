/**
 * A client of the realtime-rag WebSocket protocol (docs/asyncapi.yaml), for browsers and Node alike:
 * it keeps one session across reconnects, reconnects by itself with backoff, and resumes an answer
 * that was streaming when the connection dropped, so its user sees each answer's text exactly once.
 * No dependencies; in Node before 22, pass the `ws` package as `WebSocket`.
 */
import { AnswerTracker, type AnswerUpdate } from './answer-tracker.ts';
import { Listeners } from './listeners.ts';
import { type Outgoing, OutgoingQueue } from './outgoing-queue.ts';
import type * as Wire from './protocol.types.ts';
import { DEFAULT_RECONNECT, planReconnect, type ReconnectOptions, type SocketEnding } from './reconnect-policy.ts';
import { UnsettledFinals } from './unsettled-finals.ts';
import { globalWebSocket, OPEN, refusedStatus, type WebSocketConstructor, type WebSocketLike } from './web-socket.ts';

export type { AnswerUpdate } from './answer-tracker.ts';
export type { ReconnectOptions, SocketEnding } from './reconnect-policy.ts';
export type { WebSocketConstructor, WebSocketLike } from './web-socket.ts';
export type * as Wire from './protocol.types.ts';
export { partials, speak, type TranscriptSender } from './speech.ts';

/** The note of the status that answers control{stop}: `closed` (the server's STOP_MODE=close) or `idle` (STOP_MODE=reset). */
export const STOPPED_NOTE = 'stopped by the client';

/** How the server did a stop: `closed` the session (STOP_MODE=close, or the connection ended for good), or `reset` it and listens on (STOP_MODE=reset). */
export type StopOutcome = 'closed' | 'reset';

/** How an attempt ends whose token function threw or rejected: as a failed connection, retried with backoff. */
const TOKEN_FUNCTION_FAILED: SocketEnding = { code: 1006, reason: 'the token function failed' };

export interface RealtimeRagClientOptions {
  /** The endpoint, e.g. `wss://rag.example.com/ws/realtime-asr`. */
  url: string;
  /**
   * The token, when the server wants one: one of its AUTH_TOKENS, or a signed token (JWT). A
   * function is called before every connect and reconnect, so a short-lived token is fetched fresh
   * (say from your backend's POST /api/tokens); when it throws or rejects, that attempt fails and
   * the client retries with backoff.
   */
  token?: string | (() => string | Promise<string>);
  /** Where the token goes: `?token=` (the default; all a browser can do) or an `Authorization: Bearer` header (the `ws` package). */
  tokenIn?: 'query' | 'header';
  /** The session to continue; by default the one the server makes on the first connection. */
  sessionId?: string;
  /** Opt-in messages for every connection (`?features=`). */
  features?: Wire.Feature[];
  /** The session's values for the Dify app's input variables, sent in a `hello` (with the features) on every connection. */
  inputs?: Record<string, unknown>;
  /** The WebSocket to use: by default the global one; in Node before 22, the `ws` package. */
  WebSocket?: WebSocketConstructor;
  reconnect?: Partial<ReconnectOptions>;
  /** How many messages sent while not connected are kept for the next connection, and finals said again after a reconnect (default 100). */
  maxQueued?: number;
}

/**
 * `connecting`: the first connection. `open`: greeted by the server; messages go out at once.
 * `reconnecting`: the connection went; messages wait for the next. `closed`: for good.
 */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ConnectionChange {
  state: ConnectionState;
  /** When reconnecting or closed because a socket ended: how it ended. */
  ended?: SocketEnding;
  /** When reconnecting: the wait before the next attempt. */
  retryInMs?: number;
  /** When closed by a socket's end: why the client does not reconnect. */
  why?: string;
  /**
   * Whether a connection ever opened. A browser cannot tell a refused token (HTTP 401) from a
   * network failure, so an app may rather give up when the first connection never opens.
   */
  everOpened: boolean;
}

export interface ClientEvents {
  connection: ConnectionChange;
  /** An answer's text grew, was replaced, or ended. */
  answer: AnswerUpdate;
  status: Wire.Status;
  error: Wire.Error;
  sources: Wire.Sources;
  usage: Wire.Usage;
  progress: Wire.Progress;
  suggested: Wire.Suggested;
  audio: Wire.Audio;
  /** Every message the server sent, as it came (for logs). */
  message: Wire.ServerMessage;
  /** Every message the client sent (for logs). */
  sent: Wire.ClientMessage;
}

/**
 * One conversation with the service over a WebSocket that may come and go. It connects at once (state
 * `connecting`) and reports each change of state from then on. Every message carries the session id.
 * After a reconnect it continues the session with, in order: `resume` for an answer that had not
 * ended; the `hello` with the inputs, if it has any (without either, a `keepalive` names the
 * session); the finals the server had heard but not settled (it forgets them with the connection);
 * what was sent meanwhile.
 */
export class RealtimeRagClient {
  private readonly listeners = new Listeners<ClientEvents>();
  private readonly answers = new AnswerTracker();
  private readonly queue: OutgoingQueue;
  private readonly unsettled: UnsettledFinals;
  private readonly reconnect: ReconnectOptions;
  private current: ConnectionState = 'connecting';
  private session?: string;
  private inputs?: Record<string, unknown>;
  private features?: Wire.Feature[];
  private socket?: WebSocketLike;
  /** The socket's server said ack{connected}: messages go out now. */
  private greeted = false;
  private everOpened = false;
  /** Attempts that failed since a connection last opened. */
  private failures = 0;
  private retryTimer?: ReturnType<typeof setTimeout>;
  /** The server said status{closed}: it ends the session, so however the socket then ends, the client does not reconnect. */
  private serverClosing = false;
  /** Calls of the token function so far: only the latest one's token opens a socket. */
  private tokenRequests = 0;

  constructor(private readonly options: RealtimeRagClientOptions) {
    this.session = options.sessionId;
    this.inputs = options.inputs;
    this.features = options.features;
    this.queue = new OutgoingQueue(options.maxQueued ?? 100);
    this.unsettled = new UnsettledFinals(options.maxQueued ?? 100);
    this.reconnect = { ...DEFAULT_RECONNECT, ...options.reconnect };
    this.connect();
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** The session's id: the one given, else the server's, once it greeted. */
  get sessionId(): string | undefined {
    return this.session;
  }

  on<K extends keyof ClientEvents>(event: K, listener: (payload: ClientEvents[K]) => void): () => void {
    return this.listeners.on(event, listener);
  }

  /** A transcript piece: partials (`isFinal` false) as the recogniser revises them, then the final one. False when not connected and the queue is full. */
  sendTranscript(text: string, isFinal = false): boolean {
    return this.send({ type: 'asr_chunk', text, is_final: isFinal });
  }

  /**
   * pause, resume, stop or instant_query. What stop does is the server's STOP_MODE: it answers what
   * it heard and closes the session, or it cancels the answer and listens on; `stop()` waits for either.
   */
  control(action: Wire.Control['action']): boolean {
    return this.send({ type: 'control', action });
  }

  /**
   * Sends control{stop} and resolves when the server has done it, whichever its STOP_MODE:
   * `closed` after status{closed} (STOP_MODE=close: it answered what it heard and closes the session;
   * also when the connection ends for good first), `reset` after status{idle} with the stop's note
   * (STOP_MODE=reset: it cancelled the answer and forgot what it heard; the connection stays open).
   */
  stop(): Promise<StopOutcome> {
    return new Promise((resolve) => {
      const done = (outcome: StopOutcome) => {
        offStatus();
        offConnection();
        resolve(outcome);
      };
      const offStatus = this.on('status', ({ stage, note }) => {
        if (stage === 'closed') done('closed');
        else if (stage === 'idle' && note === STOPPED_NOTE) done('reset');
      });
      const offConnection = this.on('connection', ({ state }) => state === 'closed' && done('closed'));
      if (!this.control('stop')) done('closed');
    });
  }

  /** Rates answer `answerId` (the id its chunks carried); `null` takes a rating back. */
  feedback(answerId: string, rating: Wire.Feedback['rating'], content?: string): boolean {
    return this.send({ type: 'feedback', answer_id: answerId, rating, ...(content === undefined ? {} : { content }) });
  }

  /**
   * Replaces the session's inputs: sent in a `hello` now when connected, else on the next connection
   * (and on every one after). A bad one gets error INVALID_MESSAGE, after the hello's ack.
   */
  setInputs(inputs: Record<string, unknown>): boolean {
    if (this.current === 'closed') return false;
    this.inputs = inputs;
    if (this.greeted && this.socket?.readyState === OPEN) this.write(this.hello(inputs));
    return true;
  }

  /**
   * Replaces the connection's opt-in features: sent in a `hello` now when connected (leaving the
   * session's inputs as they are), and named on every connection after.
   */
  setFeatures(features: Wire.Feature[]): boolean {
    if (this.current === 'closed') return false;
    this.features = features;
    if (this.greeted && this.socket?.readyState === OPEN) this.write({ type: 'hello', features });
    return true;
  }

  /** Ends the conversation on this side: closes the socket (1000) and never reconnects. */
  close(): void {
    if (this.current === 'closed') return;
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.drop();
    socket?.close(1000, 'closed by the client');
    this.change({ state: 'closed' });
  }

  /** Opens the next socket, once the token is known: at once for a string, after the token function for a function. */
  private connect(): void {
    const { token } = this.options;
    if (typeof token !== 'function') return this.open(token);
    const attempt = ++this.tokenRequests;
    const failed = () => attempt === this.tokenRequests && this.current !== 'closed' && this.lost(TOKEN_FUNCTION_FAILED);
    let next: string | Promise<string>;
    try {
      next = token();
    } catch {
      return void failed();
    }
    if (typeof next === 'string') return this.open(next);
    next.then((fresh) => attempt === this.tokenRequests && this.current !== 'closed' && this.open(fresh), failed);
  }

  private open(token: string | undefined): void {
    const { tokenIn, WebSocket = globalWebSocket() } = this.options;
    const socket =
      token && tokenIn === 'header'
        ? new WebSocket(this.url(token), [], { headers: { Authorization: `Bearer ${token}` } })
        : new WebSocket(this.url(token));
    this.socket = socket;
    let refused: number | undefined;
    socket.addEventListener('error', (event) => (refused ??= refusedStatus(event)));
    socket.addEventListener('message', (event) => socket === this.socket && this.receive(String(event.data)));
    socket.addEventListener('close', (event) => {
      if (socket === this.socket) this.lost({ code: event.code ?? 1006, reason: event.reason ?? '', httpStatus: refused });
    });
  }

  private url(token: string | undefined): string {
    const { url, tokenIn } = this.options;
    const address = new URL(url);
    if (this.features?.length) address.searchParams.set('features', this.features.join(','));
    if (token && tokenIn !== 'header') address.searchParams.set('token', token);
    return address.toString();
  }

  private receive(data: string): void {
    const message = JSON.parse(data) as Wire.ServerMessage;
    this.listeners.emit('message', message);
    switch (message.type) {
      case 'ack':
        if (message.message === 'connected') this.greet(message.session_id);
        return;
      case 'status':
        if (message.stage === 'closed') this.serverClosing = true;
        this.unsettled.status(message.stage);
        if (message.stage === 'querying_rag' && message.answer_id) this.answers.started(message.answer_id, message.question);
        return this.listeners.emit('status', message);
      case 'answer':
        return this.showAnswer(this.answers.chunk(message));
      case 'error':
        if (message.code === 'RESUME_UNAVAILABLE') this.showAnswer(this.answers.lost());
        return this.listeners.emit('error', message);
      case 'sources':
        return this.listeners.emit('sources', message);
      case 'usage':
        return this.listeners.emit('usage', message);
      case 'progress':
        return this.listeners.emit('progress', message);
      case 'suggested':
        return this.listeners.emit('suggested', message);
      case 'audio':
        return this.listeners.emit('audio', message);
    }
  }

  /** The server's greeting on a new connection: continue the session there, then send what waited. */
  private greet(serverSession: string): void {
    const continuing = this.session !== undefined && this.session !== serverSession;
    this.session ??= serverSession;
    this.greeted = true;
    this.everOpened = true;
    this.failures = 0;
    // The resume goes first: any other message naming the session joins it, and the server then shows
    // the open answer from its start. The inputs follow at once, before any question can need them.
    const resume = this.answers.resumePoint();
    if (resume) this.write(resume);
    if (this.inputs) this.write(this.hello(this.inputs));
    else if (continuing && !resume) this.write({ type: 'keepalive' });
    for (const text of this.unsettled.take()) this.write({ type: 'asr_chunk', text, is_final: true });
    for (const message of this.queue.drain()) this.write(message);
    this.change({ state: 'open' });
  }

  private send(message: Outgoing): boolean {
    if (this.current === 'closed') return false;
    if (!this.greeted || this.socket?.readyState !== OPEN) return this.queue.push(message);
    this.write(message);
    return true;
  }

  /** A hello replaces the connection's features, so it names those of the URL again. */
  private hello(inputs: Record<string, unknown>): Omit<Wire.Hello, 'session_id'> {
    return { type: 'hello', features: this.features ?? [], inputs };
  }

  private write(
    message: Outgoing | Omit<Wire.Resume, 'session_id'> | Omit<Wire.Keepalive, 'session_id'> | Omit<Wire.Hello, 'session_id'>,
  ): void {
    const framed = { ...message, session_id: this.session } as Wire.ClientMessage;
    if (framed.type === 'asr_chunk' && framed.is_final) this.unsettled.sent(framed.text);
    // After a stop the server answers what it heard (STOP_MODE=close) or forgets it (reset): nothing to say again.
    if (framed.type === 'control' && framed.action === 'stop') this.unsettled.take();
    this.socket!.send(JSON.stringify(framed));
    this.listeners.emit('sent', framed);
  }

  private showAnswer(update: AnswerUpdate | undefined): void {
    if (update) this.listeners.emit('answer', update);
  }

  /** The socket ended without close(): reconnect, unless the policy says it cannot help. */
  private lost(ended: SocketEnding): void {
    this.drop();
    const plan = this.serverClosing
      ? { retry: false as const, why: 'the server closed the session' }
      : planReconnect(ended, this.failures++, this.reconnect);
    if (!plan.retry) return this.change({ state: 'closed', ended, why: plan.why });
    this.retryTimer = setTimeout(() => this.connect(), plan.delayMs);
    this.change({ state: 'reconnecting', ended, retryInMs: plan.delayMs });
  }

  private drop(): void {
    this.socket = undefined;
    this.greeted = false;
  }

  private change(change: Omit<ConnectionChange, 'everOpened'>): void {
    this.current = change.state;
    this.listeners.emit('connection', { ...change, everOpened: this.everOpened });
  }
}
