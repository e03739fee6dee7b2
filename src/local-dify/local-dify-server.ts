import { EventEmitter } from 'node:events';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { appRoutes, OPENING_STATEMENT, SUGGESTED_QUESTIONS } from './app-routes';
import { audioRoutes } from './audio-routes';
import { ChatRoutes } from './chat-routes';
import { conversationRoutes } from './conversation-routes';
import { ConversationStore } from './conversation-store';
import { fileRoutes } from './file-routes';
import { HttpError } from './http-error';
import { readBody, sendJson } from './http-io';
import { KnowledgeBase } from './knowledge-base';
import { LocalDifyFault, LocalDifyOptions, RecordedRequest, StreamRecord } from './local-dify.types';
import { messageRoutes } from './message-routes';
import { openAiRoutes } from './openai-routes';
import { PlatformStreamRecord } from './local-platform-server';
import { QueryFaults } from './query-faults';
import { RetrieverResources } from './retriever-resources';
import { findRoute, Route } from './router';
import { seededRandom } from './wire-format';

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

/**
 * A Dify-compatible server (the Service API of a chat app: chat messages, conversations, messages,
 * feedback, files, audio, the app's description; its errors) that answers from a folder of markdown
 * files. Here: the route table, the key check, the faults and the test records; the routes, by concern, in
 * `*-routes.ts` (the chat in `chat-routes.ts`). The embedded default upstream, the end-to-end tests' upstream
 * (with injectable faults and a record of what it saw) and the benchmark's. Plain `node:http`.
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
  private readonly knowledge: KnowledgeBase;
  private readonly conversations = new ConversationStore();
  private readonly chat: ChatRoutes;
  private readonly routes: Route[];
  private readonly faults: LocalDifyFault[] = [];
  private readonly queryFaults = new QueryFaults();
  private readonly sockets = new Set<Socket>();
  private readonly random: () => number;
  private readonly server: Server;

  constructor(options: LocalDifyOptions = {}) {
    super();
    this.options = { ...DEFAULTS, ...options };
    this.knowledge = KnowledgeBase.load(this.options.knowledgeDir);
    this.random = seededRandom(this.options.seed);
    const fault = (body: unknown) => this.queryFaults.for(body) ?? this.faults.shift();
    this.chat = new ChatRoutes({
      options: this.options,
      knowledge: this.knowledge,
      sources: new RetrieverResources(this.knowledge.sections),
      conversations: this.conversations,
      random: this.random,
      fault,
      recordStream: (record) => this.remember(this.streams, record),
      recordStop: (call) => this.remember(this.stopCalls, call),
      emit: (event, record) => this.emit(event, record),
    });
    this.routes = [
      ...this.chat.routes(),
      ...appRoutes(this.options),
      ...conversationRoutes(this.conversations, OPENING_STATEMENT),
      ...messageRoutes(this.conversations, this.knowledge.sections, SUGGESTED_QUESTIONS),
      ...fileRoutes(),
      ...audioRoutes(this.options, this.conversations),
      ...openAiRoutes({
        knowledge: this.knowledge,
        pace: this.options,
        style: { ...this.options, random: this.random },
        fault,
        ended: (record) => {
          this.remember(this.openAiStreams, record);
          this.emit('openai-stream-end', record);
        },
      }),
    ];
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /** Chat requests whose HTTP reply has not closed yet (each holds a connection), and the most there were at once. */
  get chatRequestsOpen(): number {
    return this.chat.open;
  }

  get mostChatRequestsOpen(): number {
    return this.chat.mostOpen;
  }

  /** The most generations one user (a session, for the service) had running at once: Dify mixes up a conversation asked twice at once. */
  get mostGenerationsPerUser(): number {
    return this.chat.mostGenerationsPerUser;
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
    this.chat.stopAll();
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

  private remember<T>(records: T[], entry: T): void {
    if (this.options.record) records.push(entry);
  }
}
