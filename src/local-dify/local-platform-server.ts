import { EventEmitter } from 'node:events';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { composeAnswer, ComposedAnswer } from './answer-composer';
import { readBody, RequestBody } from './http-io';
import { KnowledgeBase } from './knowledge-base';
import { LocalDifyFault, RecordedRequest } from './local-dify.types';
import { GenerationFault, MessageGeneration } from './message-generation';
import { PlatformFrames, PlatformOutcome, streamPlatformReply } from './platform-stream';
import { QueryFaults } from './query-faults';
import { seededRandom } from './wire-format';

export interface LocalPlatformOptions {
  apiKeys?: string[];
  knowledgeDir?: string;
  chunkChars?: number;
  chunkDelayMs?: number;
  firstChunkDelayMs?: number;
  /** Write each frame in pieces cut at random bytes (inside UTF-8 characters too). */
  splitWrites?: boolean;
  crlf?: boolean;
  seed?: number;
}

/** One streamed chat reply: what was asked, and (once ended, see 'stream-end') what became of it. */
export interface PlatformStreamRecord {
  question: string;
  body: unknown;
  answer: string;
  outcome: PlatformOutcome | 'open';
}

const DEFAULTS: Required<LocalPlatformOptions> = {
  apiKeys: ['local-key'],
  knowledgeDir: join(__dirname, 'knowledge'),
  chunkChars: 6,
  chunkDelayMs: 10,
  firstChunkDelayMs: 50,
  splitWrites: false,
  crlf: false,
  seed: 1,
};

/**
 * What the local RAGFlow and FastGPT servers share: plain `node:http` on loopback, bearer keys, the
 * knowledge base and its answers on their own clock, the faults (as LocalDifyServer's: once each, or
 * by a marker in the question), and a record of requests and streams for tests. Each platform says
 * its routes (`route`) and its stream frames.
 */
export abstract class LocalPlatformServer extends EventEmitter {
  readonly options: Required<LocalPlatformOptions>;
  readonly requests: RecordedRequest[] = [];
  readonly streams: PlatformStreamRecord[] = [];
  private readonly knowledge: KnowledgeBase;
  private readonly faults: LocalDifyFault[] = [];
  private readonly queryFaults = new QueryFaults();
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  private readonly random: () => number;

  constructor(options: LocalPlatformOptions = {}) {
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

  /** Listens on loopback; resolves with the URL an app's `base_url` takes. */
  abstract listen(port?: number): Promise<{ port: number; baseUrl: string }>;

  injectFault(fault: LocalDifyFault): void {
    this.faults.push(fault);
  }

  injectQueryFault(marker: string, fault: LocalDifyFault): void {
    this.queryFaults.set(marker, fault);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  protected bind(port: number, suffix: string): Promise<{ port: number; baseUrl: string }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        const { port: bound } = this.server.address() as AddressInfo;
        resolve({ port: bound, baseUrl: `http://127.0.0.1:${bound}${suffix}` });
      });
    });
  }

  /** Answers one request past the key check; `false` for a path it does not know (404). */
  protected abstract route(method: string, path: string, body: RequestBody, res: ServerResponse): Promise<boolean> | boolean;

  /** The text the model generates for an answer (a reasoning model's begins with its reasoning). */
  protected generated(answer: string): string {
    return answer;
  }

  /** The platform's error body for an HTTP failure. */
  protected abstract errorBody(status: number, message: string): object;

  /** A streamed answer to `question` (with the next fault), as `frames` shape it; resolves once it ended. */
  protected async streamAnswer(
    res: ServerResponse,
    question: string,
    body: unknown,
    frames: (composed: ComposedAnswer) => PlatformFrames,
  ): Promise<void> {
    const fault = this.queryFaults.for(body) ?? this.faults.shift();
    if (fault?.kind === 'destroy') return void res.socket?.destroy();
    if (fault?.kind === 'silent') return;
    if (fault?.kind === 'http') return this.fail(res, fault.status, fault.message ?? 'Injected failure', fault.html);
    const composed = composeAnswer(this.knowledge, question);
    const record: PlatformStreamRecord = { question, body, answer: composed.answer, outcome: 'open' };
    this.streams.push(record);
    const generationFault = fault?.kind === 'error-event' || fault?.kind === 'endless' ? (fault as GenerationFault) : undefined;
    const generation = new MessageGeneration(this.generated(composed.answer), this.options, generationFault, () => undefined);
    const style = { crlf: this.options.crlf, legacyJson: false, splitWrites: this.options.splitWrites, random: this.random };
    record.outcome = await streamPlatformReply(res, generation, frames(composed), style, fault);
    this.emit('stream-end', record);
  }

  protected fail(res: ServerResponse, status: number, message: string, html = false): void {
    if (html) {
      res.writeHead(status, { 'Content-Type': 'text/html' }).end(`<html><body><h1>${status}</h1></body></html>`);
      return;
    }
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(this.errorBody(status, message)));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    try {
      const body = await readBody(req);
      this.requests.push({
        method: req.method ?? '',
        path: url.pathname + url.search,
        headers: req.headers,
        body: body.json ?? '',
        at: Date.now(),
      });
      const key = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
      if (!key || !this.options.apiKeys.includes(key)) return this.fail(res, 401, 'Authentication error: API key is invalid!');
      if (!(await this.route(req.method ?? '', url.pathname + url.search, body, res))) this.fail(res, 404, 'Not found');
    } catch {
      if (!res.headersSent) this.fail(res, 500, 'Internal server error');
    }
  }
}
