import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { composeAnswer } from './answer-composer';
import { appRoutes, OPENING_STATEMENT, SUGGESTED_QUESTIONS } from './app-routes';
import { audioRoutes } from './audio-routes';
import { conversationRoutes } from './conversation-routes';
import { ConversationStore, StoredConversation, StoredMessage, titleFor, unixSeconds, UUID } from './conversation-store';
import { fileRoutes } from './file-routes';
import { conversationNotExists, HttpError } from './http-error';
import { jsonFields, readBody, RequestBody, sendJson } from './http-io';
import { KnowledgeBase } from './knowledge-base';
import { LocalDifyFault, LocalDifyOptions, RecordedRequest, StreamRecord } from './local-dify.types';
import { GenerationFault, MessageGeneration } from './message-generation';
import { messageRoutes } from './message-routes';
import { openAiRoutes } from './openai-routes';
import { PlatformStreamRecord } from './local-platform-server';
import { QueryFaults } from './query-faults';
import { agentThoughts, blockingReply, ReplyContent, ReplyEvents } from './reply-events';
import { streamReply } from './reply-stream';
import { requiredUser } from './request-params';
import { RetrieverResources } from './retriever-resources';
import { findRoute, Route } from './router';
import { seededRandom, toJson } from './wire-format';

const DEFAULTS: Required<LocalDifyOptions> = {
  apiKeys: ['app-local-dify'],
  knowledgeDir: join(__dirname, 'knowledge'),
  chunkChars: 6,
  chunkDelayMs: 25,
  firstChunkDelayMs: 150,
  pingIntervalMs: 10_000,
  splitWrites: false,
  crlf: false,
  legacyJson: false,
  appMode: 'chat',
  tts: false,
  inputForm: [],
  seed: 1,
  record: true,
};

interface ChatBody {
  query: string;
  user: string;
  mode: 'streaming' | 'blocking';
  conversationId?: string;
  /** Name a new conversation after its first question (Dify's default), else it stays 'New conversation'. */
  autoGenerateName: boolean;
}

/**
 * A Dify-compatible server (the Service API of a chat app: chat messages, conversations, messages,
 * feedback, files, audio, the app's description; its errors) that answers from a folder of markdown
 * files. The chat itself is here; the other routes, by concern, in `*-routes.ts`. The embedded default upstream, the end-to-end tests' upstream (with
 * injectable faults and a record of what it saw) and the benchmark's. Plain `node:http`.
 *
 * A message's answer is generated on its own clock (`MessageGeneration`), as Dify's worker does: an
 * HTTP reply is one reader of it, and the answer goes on to its end and is saved when the client is
 * gone. Only `POST /chat-messages/:task_id/stop` (from the message's user) or `close()` stops it.
 *
 * Events, each with the StreamRecord: 'stream-end' once the HTTP reply to an accepted chat request
 * ended, for any reason; 'message-end' once its message's generation ended (completed, stopped or failed) and
 * the message was saved.
 */
export class LocalDifyServer extends EventEmitter {
  readonly options: Required<LocalDifyOptions>;
  /** The test records below stay empty with `record: false`. */
  readonly requests: RecordedRequest[] = [];
  /** One per accepted chat request, whose message was created (HTTP-level faults and refused requests have none). */
  readonly streams: StreamRecord[] = [];
  readonly stopCalls: Array<{ taskId: string; user: string }> = [];
  /** One per streamed OpenAI-compatible reply (`POST /v1/chat/completions`), once it ended ('openai-stream-end'). */
  readonly openAiStreams: PlatformStreamRecord[] = [];
  /** Chat requests whose HTTP reply has not closed yet (each holds a connection), and the most there were at once. */
  chatRequestsOpen = 0;
  mostChatRequestsOpen = 0;
  /** The most generations one user (a session, for the service) had running at once: Dify mixes up a conversation asked twice at once. */
  mostGenerationsPerUser = 0;
  private readonly knowledge: KnowledgeBase;
  private readonly sources: RetrieverResources;
  private readonly conversations = new ConversationStore();
  private readonly routes: Route[];
  private readonly faults: LocalDifyFault[] = [];
  private readonly queryFaults = new QueryFaults();
  /** Generations under way by task id, so /stop and close() can end them. */
  private readonly running = new Map<string, { user: string; generation: MessageGeneration }>();
  private readonly sockets = new Set<Socket>();
  /** Generations under way per user. */
  private readonly generationsOf = new Map<string, number>();
  private readonly random: () => number;
  private readonly server: Server;

  constructor(options: LocalDifyOptions = {}) {
    super();
    this.options = { ...DEFAULTS, ...options };
    this.knowledge = KnowledgeBase.load(this.options.knowledgeDir);
    this.sources = new RetrieverResources(this.knowledge.sections);
    this.routes = [
      { method: 'POST', path: /^\/v1\/chat-messages$/, handle: ({ body, res, gone }) => this.chat(body, res, gone) },
      { method: 'POST', path: /^\/v1\/chat-messages\/([^/]+)\/stop$/, handle: ({ params, body, res }) => this.stop(params[0], body, res) },
      ...appRoutes(this.options),
      ...conversationRoutes(this.conversations, OPENING_STATEMENT),
      ...messageRoutes(this.conversations, this.knowledge.sections, SUGGESTED_QUESTIONS),
      ...fileRoutes(),
      ...audioRoutes(this.options, this.conversations),
    ];
    this.random = seededRandom(this.options.seed);
    this.routes.push(
      ...openAiRoutes({
        knowledge: this.knowledge,
        pace: this.options,
        style: { ...this.options, random: this.random },
        fault: (body) => this.queryFaults.for(body) ?? this.faults.shift(),
        ended: (record) => {
          this.remember(this.openAiStreams, record);
          this.emit('openai-stream-end', record);
        },
      }),
    );
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  listen(port = 0, host = '127.0.0.1'): Promise<{ port: number; baseUrl: string }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        const { port: bound } = this.server.address() as AddressInfo;
        resolve({ port: bound, baseUrl: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/v1` });
      });
    });
  }

  /** Stops every generation, stops listening and drops every connection, open streams included. */
  close(): Promise<void> {
    for (const { generation } of this.running.values()) generation.stop();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  injectFault(fault: LocalDifyFault): void {
    this.faults.push(fault);
  }

  /** Forgets the faults not played yet: the next requests are answered as usual. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Plays `fault` on every chat request whose query contains `marker` (query-faults.ts), leaving the others alone. */
  injectQueryFault(marker: string, fault: LocalDifyFault): void {
    this.queryFaults.set(marker, fault);
  }

  /** Forgets every conversation: a stored id now gets 404 "Conversation Not Exists.". */
  forgetConversations(): void {
    this.conversations.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    // Ends a `delay-headers` wait when the client goes: that request never reached Dify.
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    try {
      const found = findRoute(this.routes, req.method ?? '', url.pathname);
      const body = await readBody(req, !(found instanceof HttpError) && found.route.upload);
      this.remember(this.requests, {
        method: req.method ?? '',
        path: url.pathname,
        headers: req.headers,
        body: body.json ?? body.raw.toString('utf8'),
        at: Date.now(),
      });
      if (found instanceof HttpError) throw found;
      this.authenticate(req);
      await found.route.handle({ params: found.params, url, body, req, res, gone: gone.signal });
    } catch (error) {
      if (res.headersSent) return;
      const failure = error instanceof HttpError ? error : new HttpError(500, 'internal_server_error', 'Internal Server Error');
      if (failure.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="api"');
      sendJson(res, failure.status, { code: failure.code, message: failure.message, status: failure.status });
    }
  }

  private authenticate(req: IncomingMessage): void {
    const header = req.headers.authorization ?? '';
    const space = header.indexOf(' ');
    if (space < 0) throw new HttpError(401, 'unauthorized', "Authorization header must be provided and start with 'Bearer'");
    if (header.slice(0, space).toLowerCase() !== 'bearer')
      throw new HttpError(401, 'unauthorized', "Authorization scheme must be 'Bearer'");
    if (!this.options.apiKeys.includes(header.slice(space + 1).trim())) throw new HttpError(401, 'unauthorized', 'Access token is invalid');
  }

  private async chat(body: RequestBody, res: ServerResponse, gone: AbortSignal): Promise<void> {
    this.mostChatRequestsOpen = Math.max(this.mostChatRequestsOpen, ++this.chatRequestsOpen);
    res.once('close', () => this.chatRequestsOpen--);
    const fault = this.queryFaults.for(body.json) ?? this.faults.shift();
    if (fault?.kind === 'silent') return;
    if (fault?.kind === 'destroy') {
      res.socket?.destroy();
      return;
    }
    if (fault?.kind === 'http') {
      if (fault.html) {
        res.writeHead(fault.status, { 'Content-Type': 'text/html' }).end(`<html><body><h1>${fault.status} Bad Gateway</h1></body></html>`);
        return;
      }
      throw new HttpError(fault.status, fault.code ?? 'internal_server_error', fault.message ?? 'Injected failure');
    }
    const request = this.validate(body);
    if (fault?.kind === 'delay-headers') await pause(fault.ms, gone);
    if (gone.aborted) return;
    const conversation = this.conversationFor(request);
    const { answer, hits } = composeAnswer(this.knowledge, request.query);
    const ids = { conversationId: conversation.id, messageId: randomUUID(), taskId: randomUUID(), createdAt: unixSeconds() };
    const sources = this.sources.forMessage(hits, ids.messageId, ids.createdAt);
    const { appMode: mode } = this.options;
    const reply: ReplyContent = {
      ids,
      mode,
      query: request.query,
      user: request.user,
      sources,
      thoughts: agentThoughts(mode, request.query, sources),
    };
    const record: StreamRecord = {
      taskId: ids.taskId,
      messageId: ids.messageId,
      conversationId: conversation.id,
      user: request.user,
      query: request.query,
      mode: request.mode,
      answer,
      outcome: 'open',
      generation: 'running',
      chunksSent: 0,
    };
    this.remember(this.streams, record);
    // Dify creates the message row before generating, so history lists it from now on.
    const message: StoredMessage = {
      id: ids.messageId,
      conversationId: conversation.id,
      query: request.query,
      createdAt: ids.createdAt,
      sources,
      thoughts: reply.thoughts,
    };
    if (conversation.messages.length === 0 && request.autoGenerateName) conversation.name = titleFor(request.query);
    this.conversations.addMessage(conversation, message);
    const generationFault = isGenerationFault(fault) ? fault : undefined;
    const generation = this.generate(record, message, answer, generationFault);
    res.once('close', () => this.endStream(record, 'client-closed'));
    const streaming = request.mode === 'streaming';
    // `cut` and `hang` shape streams only; a delayed reply is a normal one.
    const faulted = generationFault !== undefined || (streaming && fault?.kind === 'cut');
    const outcome = () => (faulted ? 'fault' : generation.state === 'stopped' ? 'stopped' : 'completed');
    if (!streaming) {
      const end = await generation.ended;
      try {
        // As in Dify, a generation's failure in blocking mode is an HTTP error.
        if (end.kind === 'error') throw new HttpError(end.status, end.code, end.message);
        // Blocking bodies use Python's json.dumps defaults: spaced, ASCII-escaped.
        res
          .writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' })
          .end(toJson(blockingReply(reply, end.answer, end.latency), true));
      } finally {
        this.endStream(record, outcome());
      }
      return;
    }
    const { options } = this;
    const events = new ReplyEvents(reply);
    const style = { ...options, random: this.random, pingFirst: mode === 'advanced-chat' };
    const ended = await streamReply(res, { generation, events, fault, sent: () => record.chunksSent++ }, style);
    if (ended) this.endStream(record, outcome());
  }

  /** Starts the message's generation; at its end the message is saved, then 'message-end' is told. */
  private generate(record: StreamRecord, message: StoredMessage, answer: string, fault?: GenerationFault): MessageGeneration {
    const generation = new MessageGeneration(answer, this.options, fault, (state, end) => {
      this.running.delete(record.taskId);
      const left = this.generationsOf.get(record.user)! - 1;
      if (left > 0) this.generationsOf.set(record.user, left);
      else this.generationsOf.delete(record.user);
      message.saved = end.kind === 'end' ? { answer: end.answer, latency: end.latency } : { error: end.message };
      record.generation = state;
      this.emit('message-end', record);
    });
    this.running.set(record.taskId, { user: record.user, generation });
    const mine = (this.generationsOf.get(record.user) ?? 0) + 1;
    this.generationsOf.set(record.user, mine);
    this.mostGenerationsPerUser = Math.max(this.mostGenerationsPerUser, mine);
    return generation;
  }

  private validate(body: RequestBody): ChatBody {
    if (body.json === undefined) throw new HttpError(400, 'bad_request', 'Invalid JSON payload received or JSON payload is empty.');
    const payload = jsonFields(body);
    const user = requiredUser(payload.user);
    if (typeof payload.query !== 'string' || payload.query.trim() === '') throw new HttpError(400, 'invalid_param', 'query is required');
    if (typeof payload.inputs !== 'object' || payload.inputs === null) {
      throw new HttpError(400, 'invalid_param', '1 validation error for ChatRequestPayload\ninputs\n  Field required [type=missing]');
    }
    const mode = payload.response_mode ?? 'blocking';
    if (mode !== 'streaming' && mode !== 'blocking')
      throw new HttpError(400, 'invalid_param', "response_mode must be 'streaming' or 'blocking'");
    if (mode === 'blocking' && this.options.appMode === 'agent-chat')
      throw new HttpError(400, 'invalid_param', 'Agent Chat App does not support blocking mode');
    const conversationId = typeof payload.conversation_id === 'string' ? payload.conversation_id.trim() : '';
    if (conversationId && !UUID.test(conversationId)) throw new HttpError(400, 'invalid_param', 'conversation_id must be a valid UUID');
    return {
      query: payload.query.replaceAll('\u0000', ''),
      user,
      mode,
      conversationId: conversationId || undefined,
      autoGenerateName: payload.auto_generate_name !== false,
    };
  }

  /** The request's conversation, new when it names none; another user's is as unknown as a missing one. */
  private conversationFor(request: ChatBody): StoredConversation {
    if (!request.conversationId) return this.conversations.create(request.user);
    const existing = this.conversations.owned(request.conversationId, request.user);
    if (!existing) throw conversationNotExists();
    return existing;
  }

  private remember<T>(records: T[], entry: T): void {
    if (this.options.record) records.push(entry);
  }

  private endStream(record: StreamRecord, outcome: StreamRecord['outcome']): void {
    if (record.outcome !== 'open') return;
    record.outcome = outcome;
    this.emit('stream-end', record);
  }

  /**
   * Stops a message's generation: it ends with what it has, and that is saved. Dify always answers
   * success, even for an unknown or ended task or another user's: then it does nothing.
   */
  private stop(taskId: string, body: RequestBody, res: ServerResponse): void {
    const user = requiredUser(jsonFields(body).user);
    this.remember(this.stopCalls, { taskId, user });
    const running = this.running.get(taskId);
    if (running?.user === user) running.generation.stop();
    sendJson(res, 200, { result: 'success' });
  }
}

function isGenerationFault(fault?: LocalDifyFault): fault is GenerationFault {
  return fault?.kind === 'error-event' || fault?.kind === 'message-replace' || fault?.kind === 'endless';
}

function pause(ms: number, signal: AbortSignal): Promise<unknown> {
  return sleep(ms, undefined, { signal }).catch(() => undefined);
}
