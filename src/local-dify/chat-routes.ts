import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { composeAnswer } from './answer-composer';
import { ConversationStore, StoredConversation, StoredMessage, titleFor, unixSeconds, UUID } from './conversation-store';
import { conversationNotExists, HttpError } from './http-error';
import { jsonFields, RequestBody, sendJson } from './http-io';
import { KnowledgeBase } from './knowledge-base';
import { LocalDifyFault, LocalDifyOptions, StreamRecord } from './local-dify.types';
import { GenerationFault, MessageGeneration } from './message-generation';
import { agentThoughts, blockingReply, ReplyContent, ReplyEvents } from './reply-events';
import { streamReply } from './reply-stream';
import { requiredUser } from './request-params';
import { RetrieverResources } from './retriever-resources';
import { Route } from './router';
import { toJson } from './wire-format';

interface ChatBody {
  query: string;
  user: string;
  mode: 'streaming' | 'blocking';
  conversationId?: string;
  /** Name a new conversation after its first question (Dify's default), else it stays 'New conversation'. */
  autoGenerateName: boolean;
}

/** What the chat needs of the server: its options, knowledge and conversations, its faults, its test records and events. */
export interface ChatContext {
  options: Required<LocalDifyOptions>;
  knowledge: KnowledgeBase;
  sources: RetrieverResources;
  conversations: ConversationStore;
  random: () => number;
  /** The fault this request plays, if any (taken: it plays once). */
  fault(body: unknown): LocalDifyFault | undefined;
  recordStream(record: StreamRecord): void;
  recordStop(call: { taskId: string; user: string }): void;
  /** 'stream-end' once an HTTP reply ended, 'message-end' once a message's generation ended and it was saved. */
  emit(event: 'stream-end' | 'message-end', record: StreamRecord): void;
}

/**
 * `POST /chat-messages` (validated like Dify's, streamed or blocking, with the injected faults) and
 * `POST /chat-messages/:task_id/stop`; the generations under way, which only /stop and `stopAll()` end.
 */
export class ChatRoutes {
  /** Chat requests whose HTTP reply has not closed yet (each holds a connection), and the most there were at once. */
  open = 0;
  mostOpen = 0;
  /** The most generations one user had running at once. */
  mostGenerationsPerUser = 0;
  /** Generations under way by task id, so /stop and stopAll() can end them. */
  private readonly running = new Map<string, { user: string; generation: MessageGeneration }>();
  /** Generations under way per user. */
  private readonly generationsOf = new Map<string, number>();

  constructor(private readonly context: ChatContext) {}

  routes(): Route[] {
    return [
      { method: 'POST', path: /^\/v1\/chat-messages$/, handle: ({ body, res, gone }) => this.chat(body, res, gone) },
      { method: 'POST', path: /^\/v1\/chat-messages\/([^/]+)\/stop$/, handle: ({ params, body, res }) => this.stop(params[0], body, res) },
    ];
  }

  stopAll(): void {
    for (const { generation } of this.running.values()) generation.stop();
  }

  private async chat(body: RequestBody, res: ServerResponse, gone: AbortSignal): Promise<void> {
    this.mostOpen = Math.max(this.mostOpen, ++this.open);
    res.once('close', () => this.open--);
    const fault = this.context.fault(body.json);
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
    const { answer, hits } = composeAnswer(this.context.knowledge, request.query);
    const ids = { conversationId: conversation.id, messageId: randomUUID(), taskId: randomUUID(), createdAt: unixSeconds() };
    const sources = this.context.sources.forMessage(hits, ids.messageId, ids.createdAt);
    const { appMode: mode } = this.context.options;
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
    this.context.recordStream(record);
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
    this.context.conversations.addMessage(conversation, message);
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
    const { options } = this.context;
    const events = new ReplyEvents(reply);
    const style = { ...options, random: this.context.random, pingFirst: mode === 'advanced-chat' };
    const ended = await streamReply(res, { generation, events, fault, sent: () => record.chunksSent++ }, style);
    if (ended) this.endStream(record, outcome());
  }

  /** Starts the message's generation; at its end the message is saved, then 'message-end' is told. */
  private generate(record: StreamRecord, message: StoredMessage, answer: string, fault?: GenerationFault): MessageGeneration {
    const generation = new MessageGeneration(answer, this.context.options, fault, (state, end) => {
      this.running.delete(record.taskId);
      const left = this.generationsOf.get(record.user)! - 1;
      if (left > 0) this.generationsOf.set(record.user, left);
      else this.generationsOf.delete(record.user);
      message.saved = end.kind === 'end' ? { answer: end.answer, latency: end.latency } : { error: end.message };
      record.generation = state;
      this.context.emit('message-end', record);
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
    if (mode === 'blocking' && this.context.options.appMode === 'agent-chat')
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
    if (!request.conversationId) return this.context.conversations.create(request.user);
    const existing = this.context.conversations.owned(request.conversationId, request.user);
    if (!existing) throw conversationNotExists();
    return existing;
  }

  private endStream(record: StreamRecord, outcome: StreamRecord['outcome']): void {
    if (record.outcome !== 'open') return;
    record.outcome = outcome;
    this.context.emit('stream-end', record);
  }

  /**
   * Stops a message's generation: it ends with what it has, and that is saved. Dify always answers
   * success, even for an unknown or ended task or another user's: then it does nothing.
   */
  private stop(taskId: string, body: RequestBody, res: ServerResponse): void {
    const user = requiredUser(jsonFields(body).user);
    this.context.recordStop({ taskId, user });
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
