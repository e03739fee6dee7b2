import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { composeAnswer } from './answer-composer';
import { ConversationStore, StoredConversation } from './conversation-store';
import { conversationNotExists, HttpError } from './http-error';
import { Hit, KnowledgeBase } from './knowledge-base';
import { LocalDifyFault, LocalDifyOptions, RecordedRequest, StreamRecord } from './local-dify.types';
import { blockingReply, ReplyEvents, ReplyIds } from './reply-events';
import { SseWriter } from './sse-writer';
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
  seed: 1,
  record: true,
};

const MAX_BODY_BYTES = 1024 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What one streamed reply says, and the signal that the client went away. */
interface Reply {
  query: string;
  hits: Hit[];
  started: number;
  fault?: LocalDifyFault;
  gone: AbortSignal;
}

interface ChatBody {
  query: string;
  user: string;
  mode: 'streaming' | 'blocking';
  conversationId?: string;
}

/**
 * A Dify-compatible server (the Chat API of a chat app, its neighbours, its errors) that answers from
 * a folder of markdown files. The embedded default upstream, the end-to-end tests' upstream (with
 * injectable faults and a record of what it saw) and the benchmark's. Plain `node:http`.
 *
 * Events: 'stream-end' (StreamRecord) once a chat reply that got a 200 has ended, for any reason.
 */
export class LocalDifyServer extends EventEmitter {
  readonly options: Required<LocalDifyOptions>;
  /** The test records below stay empty with `record: false`. */
  readonly requests: RecordedRequest[] = [];
  /** One per chat reply that got a 200 (HTTP errors and refused requests have none). */
  readonly streams: StreamRecord[] = [];
  readonly stopCalls: Array<{ taskId: string; user: string }> = [];
  private readonly knowledge: KnowledgeBase;
  private readonly conversations = new ConversationStore();
  private readonly faults: LocalDifyFault[] = [];
  /** Open streams by task id, so /stop can end them. */
  private readonly stopRequests = new Map<string, { user: string; stop: () => void }>();
  private readonly sockets = new Set<Socket>();
  private readonly random: () => number;
  private readonly server: Server;

  constructor(options: LocalDifyOptions = {}) {
    super();
    this.options = { ...DEFAULTS, ...options };
    this.knowledge = KnowledgeBase.load(this.options.knowledgeDir);
    this.random = seededRandom(this.options.seed);
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

  /** Stops listening and drops every connection, open streams included. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  injectFault(fault: LocalDifyFault): void {
    this.faults.push(fault);
  }

  /** Forgets every conversation: a stored id now gets 404 "Conversation Not Exists.". */
  forgetConversations(): void {
    this.conversations.clear();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    // Every pause ends when the client goes, so nothing outlives a connection.
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    try {
      const body = await readBody(req);
      this.remember(this.requests, {
        method: req.method ?? '',
        path: url.pathname,
        headers: req.headers,
        body: body.json ?? body.raw,
        at: Date.now(),
      });
      this.authenticate(req);
      await this.route(req.method ?? '', url, body, res, gone.signal);
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

  private async route(method: string, url: URL, body: Body, res: ServerResponse, gone: AbortSignal): Promise<void> {
    const path = url.pathname;
    const stop = /^\/v1\/chat-messages\/([^/]+)\/stop$/.exec(path);
    const conversation = /^\/v1\/conversations\/([^/]+)$/.exec(path);
    if (method === 'POST' && path === '/v1/chat-messages') return this.chat(body, res, gone);
    if (method === 'POST' && stop) return this.stop(decodeURIComponent(stop[1]), body, res);
    if (method === 'GET' && path === '/v1/parameters') return sendJson(res, 200, PARAMETERS);
    if (method === 'GET' && path === '/v1/info') return sendJson(res, 200, this.info());
    if (method === 'GET' && path === '/v1/messages') return this.history(url, res);
    if (method === 'GET' && path === '/v1/conversations') return this.list(url, res);
    if (method === 'DELETE' && conversation) return this.deleteConversation(conversation[1], body, res);
    throw new HttpError(
      404,
      'not_found',
      'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.',
    );
  }

  private async chat(body: Body, res: ServerResponse, gone: AbortSignal): Promise<void> {
    const fault = this.faults.shift();
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
    const started = Date.now();
    const { answer, hits } = composeAnswer(
      this.knowledge,
      request.query,
      conversation.messages.map((m) => m.query),
    );
    const ids: ReplyIds = {
      conversationId: conversation.id,
      messageId: randomUUID(),
      taskId: randomUUID(),
      createdAt: Math.floor(started / 1000),
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
      chunksSent: 0,
    };
    this.remember(this.streams, record);
    this.conversations.addMessage(conversation, { id: ids.messageId, query: request.query, answer, createdAt: ids.createdAt });
    if (request.mode === 'blocking') {
      await pause(this.options.firstChunkDelayMs, gone);
      // Blocking bodies use Python's json.dumps defaults: spaced, ASCII-escaped.
      res
        .writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' })
        .end(toJson(blockingReply(ids, this.options.appMode, request.query, answer, hits, latency(started)), true));
      this.endStream(record, 'completed');
      return;
    }
    await this.stream(res, record, ids, { query: request.query, hits, started, fault, gone });
  }

  private validate(body: Body): ChatBody {
    if (body.json === undefined) throw new HttpError(400, 'bad_request', 'Invalid JSON payload received or JSON payload is empty.');
    const payload = (body.json ?? {}) as Record<string, unknown>;
    if (typeof payload.user !== 'string' || payload.user === '') throw new HttpError(400, 'invalid_param', 'Arg user must be provided.');
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
    return { query: payload.query.replaceAll('\u0000', ''), user: payload.user, mode, conversationId: conversationId || undefined };
  }

  /** The request's conversation, new when it names none; another user's is as unknown as a missing one. */
  private conversationFor(request: ChatBody): StoredConversation {
    if (!request.conversationId) return this.conversations.create(request.user);
    const existing = this.conversations.owned(request.conversationId, request.user);
    if (!existing) throw conversationNotExists();
    return existing;
  }

  private async stream(res: ServerResponse, record: StreamRecord, ids: ReplyIds, reply: Reply): Promise<void> {
    const { options } = this;
    const { query, hits, started, fault, gone } = reply;
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    const writer = new SseWriter(res, {
      crlf: options.crlf,
      legacyJson: options.legacyJson,
      splitWrites: options.splitWrites,
      random: this.random,
    });
    const events = new ReplyEvents(ids, options.appMode, query);
    let stopped = false;
    this.stopRequests.set(ids.taskId, { user: record.user, stop: () => (stopped = true) });
    const pings = setInterval(() => void writer.ping(), options.pingIntervalMs);
    res.on('close', () => {
      clearInterval(pings);
      this.stopRequests.delete(ids.taskId);
      if (record.outcome === 'open') this.endStream(record, 'client-closed');
    });

    if (options.appMode === 'advanced-chat' || fault?.kind === 'hang') await writer.ping();
    if (fault?.kind === 'hang') return; // pings until the client gives up
    for (const event of events.opening()) await writer.data(event);
    await pause(options.firstChunkDelayMs, gone);

    const pieces = codePointChunks(record.answer, options.chunkChars);
    const failAfter = fault && 'afterChunks' in fault ? fault.afterChunks : Infinity;
    for (const piece of pieces) {
      if (!writer.open || stopped || record.chunksSent >= failAfter) break;
      await writer.data(events.text(piece));
      record.chunksSent++;
      await pause(options.chunkDelayMs, gone);
    }
    if (!writer.open) return;
    if (fault?.kind === 'error-event') {
      await writer.data(
        events.error(fault.status ?? 400, fault.code ?? 'completion_request_error', fault.message ?? 'Completion request failed.'),
      );
    } else if (fault?.kind === 'message-replace') {
      await writer.data(events.replace(fault.answer));
      for (const event of events.closing(fault.answer, hits, latency(started))) await writer.data(event);
    } else if (fault?.kind !== 'cut') {
      const given = stopped ? pieces.slice(0, record.chunksSent).join('') : record.answer;
      for (const event of events.closing(given, hits, latency(started))) await writer.data(event);
    }
    await writer.end();
    this.endStream(record, fault && fault.kind !== 'delay-headers' ? 'fault' : stopped ? 'stopped' : 'completed');
  }

  private remember<T>(records: T[], entry: T): void {
    if (this.options.record) records.push(entry);
  }

  private endStream(record: StreamRecord, outcome: StreamRecord['outcome']): void {
    if (record.outcome !== 'open') return;
    record.outcome = outcome;
    this.emit('stream-end', record);
  }

  /** Dify always answers success, even for an unknown task or another user's: then it does nothing. */
  private stop(taskId: string, body: Body, res: ServerResponse): void {
    const user = (body.json as { user?: unknown } | undefined)?.user;
    if (typeof user !== 'string' || user === '') throw new HttpError(400, 'invalid_param', 'Arg user must be provided.');
    this.remember(this.stopCalls, { taskId, user });
    const open = this.stopRequests.get(taskId);
    if (open?.user === user) open.stop();
    sendJson(res, 200, { result: 'success' });
  }

  private info(): object {
    return {
      name: 'Local knowledge base',
      description: 'A Dify-compatible server answering from local markdown files.',
      tags: [],
      mode: this.options.appMode,
      author_name: 'realtime-rag',
    };
  }

  private history(url: URL, res: ServerResponse): void {
    const conversation = this.ownedConversation(url.searchParams.get('conversation_id'), url.searchParams.get('user'));
    const limit = Math.min(100, Math.max(1, Number(url.searchParams.get('limit') ?? 20)));
    const data = conversation.messages.slice(-limit).map((m) => ({
      id: m.id,
      conversation_id: conversation.id,
      parent_message_id: null,
      inputs: {},
      query: m.query,
      answer: m.answer,
      feedback: null,
      retriever_resources: [],
      created_at: m.createdAt,
      agent_thoughts: [],
      message_files: [],
      status: 'normal',
      error: null,
    }));
    sendJson(res, 200, { limit, has_more: conversation.messages.length > limit, data });
  }

  private list(url: URL, res: ServerResponse): void {
    const data = this.conversations.listFor(url.searchParams.get('user')).map((c) => ({
      id: c.id,
      name: c.messages[0]?.query.slice(0, 20) ?? 'New conversation',
      inputs: {},
      status: 'normal',
      introduction: '',
      created_at: c.createdAt,
      updated_at: c.messages.at(-1)?.createdAt ?? c.createdAt,
    }));
    sendJson(res, 200, { limit: 20, has_more: false, data: data.slice(0, 20) });
  }

  private deleteConversation(id: string, body: Body, res: ServerResponse): void {
    const user = (body.json as { user?: unknown } | undefined)?.user;
    this.ownedConversation(id, typeof user === 'string' ? user : null);
    this.conversations.delete(id);
    res.writeHead(204).end();
  }

  private ownedConversation(id: string | null, user: string | null): StoredConversation {
    const conversation = id ? this.conversations.owned(id, user) : undefined;
    if (!conversation) throw conversationNotExists();
    return conversation;
  }
}

interface Body {
  raw: string;
  /** The parsed JSON; undefined when the body is empty or not JSON. */
  json?: unknown;
}

async function readBody(req: IncomingMessage): Promise<Body> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'request_entity_too_large', 'Request body too large.');
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks).toString('utf8');
  try {
    return { raw, json: raw ? (JSON.parse(raw) as unknown) : undefined };
  } catch {
    return { raw };
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
}

/** Splits by code points, so no chunk holds half a surrogate pair. */
function codePointChunks(text: string, size: number): string[] {
  const points = Array.from(text);
  return Array.from({ length: Math.ceil(points.length / size) }, (_, i) => points.slice(i * size, (i + 1) * size).join(''));
}

function pause(ms: number, signal: AbortSignal): Promise<unknown> {
  return sleep(ms, undefined, { signal }).catch(() => undefined);
}

function latency(started: number): number {
  return (Date.now() - started) / 1000;
}

const PARAMETERS = {
  opening_statement: '你好！可以问我关于 RAG、Dify 和 Acme 员工手册的问题。',
  suggested_questions: ['什么是 RAG？', '年假有几天？', 'How do I reset my VPN password?'],
  suggested_questions_after_answer: { enabled: false },
  speech_to_text: { enabled: false },
  text_to_speech: { enabled: false },
  retriever_resource: { enabled: true },
  annotation_reply: { enabled: false },
  more_like_this: { enabled: false },
  user_input_form: [],
  sensitive_word_avoidance: { enabled: false, type: '', configs: [] },
  file_upload: { image: { enabled: false, number_limits: 3, detail: 'high', transfer_methods: ['remote_url', 'local_file'] } },
  system_parameters: {
    image_file_size_limit: 10,
    video_file_size_limit: 100,
    audio_file_size_limit: 50,
    file_size_limit: 15,
    workflow_file_upload_limit: 10,
  },
};
