import { Inject, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { OnGatewayConnection, OnGatewayDisconnect, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer as WsServer } from 'ws';
import { Principal, requestPrincipal } from '../auth';
import { appConfig, limitsConfig } from '../config';
import { Answers, Conversation, ConversationFactory, SessionRooms } from '../conversation';
import { ShutdownSequence } from '../lifecycle';
import { Metrics } from '../metrics';
import { AppRegistry } from '../tenancy';
import { AsrChunk, Control, Feedback, Hello, Keepalive, Resume, wireErrors } from '../protocol';
import { rememberTraceContext } from '../tracing';
import { connectionApp, upgradeApp } from './connection-app';
import { Connection, Connections } from './connections';
import { BatchProgressPush } from './batch-progress-push';
import { Outbox, OutboxLimits } from './outbox';

/**
 * The WebSocket endpoint (path and frame limit come from RealtimeWsAdapter). Thin: it hands each
 * message, validated by InboundDispatch, to the socket's Conversation, whose messages it sends back.
 * A handler's error is answered by InboundDispatch.
 */
@WebSocketGateway()
export class RealtimeGateway implements OnGatewayConnection, OnGatewayDisconnect {
  @WebSocketServer() private readonly server!: WsServer;
  private readonly logger = new Logger(RealtimeGateway.name);
  private readonly outboxLimits: OutboxLimits;

  constructor(
    private readonly conversations: ConversationFactory,
    private readonly answers: Answers,
    private readonly rooms: SessionRooms,
    private readonly connections: Connections,
    @Inject(appConfig.KEY) private readonly config: ConfigType<typeof appConfig>,
    shutdown: ShutdownSequence,
    @Inject(limitsConfig.KEY) limits: ConfigType<typeof limitsConfig>,
    private readonly metrics: Metrics,
    private readonly batchProgress: BatchProgressPush,
    private readonly apps: AppRegistry,
  ) {
    this.outboxLimits = {
      highWaterBytes: limits.sendHighWaterBytes,
      hardLimitBytes: limits.sendHardLimitBytes,
      chunkMaxChars: limits.sendChunkMaxChars,
    };
    // Existing clients can still talk while the answers in flight finish (SHUTDOWN_GRACE_MS at most).
    shutdown.register('drain', 'answers in flight', () => answers.settled());
    shutdown.register('hand over', 'WebSocket clients', () => this.endConversations());
  }

  /**
   * At shutdown, once the answers in flight had their grace (ShutdownSequence): with Redis, the
   * answers still streaming are handed over: left generating at Dify, for their clients to resume on
   * another instance. Then every conversation ends with SHUTTING_DOWN. Without Redis, an answer still
   * streaming gets its interrupted final chunk and the error, and is aborted and stopped upstream.
   * Each Outbox sends what is left and closes its socket with 1001. Answers still streaming for
   * nobody (a client that went, within RESUME_GRACE_SECONDS) are handed over or stopped the same
   * way. Resolves when every client has closed (the sequence waits a moment, then Nest cuts them off).
   */
  private async endConversations(): Promise<void> {
    const left = this.answers.inFlight;
    if (left > 0) {
      const handedOver = this.rooms.handOver();
      this.logger.warn(`${handedOver ? 'Handing over' : 'Stopping'} ${left} answers still in flight at shutdown`);
    }
    const closed = [...(this.server?.clients ?? [])].map((socket) => {
      const gone = new Promise((resolve) => socket.once('close', resolve));
      this.connections.get(socket)?.conversation.close(wireErrors.shuttingDown());
      return gone;
    });
    this.rooms.closeAll();
    await Promise.all(closed);
  }

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    // Authenticated once, and the app chosen, at the upgrade (RealtimeWsAdapter).
    const principal = requestPrincipal(request);
    const app = upgradeApp(request);
    // Every answer asked on this socket continues the upgrade's traceparent (when tracing is on).
    rememberTraceContext(socket, request.headers);
    // A reader too slow to finish the closing handshake must not keep its answer running upstream.
    const outbox = new Outbox(
      socket,
      this.outboxLimits,
      () => conversation.close(),
      (code) => this.metrics.errorSent(code),
    );
    // A token limited to one session starts in it.
    const conversation = this.conversations.create(principal.id, app, outbox, principal.sessionId);
    this.metrics.connectionOpened();
    this.logger.log(`WebSocket connected: principal ${principal.id}, app ${app}, session ${conversation.sessionId}`);
    const stopBatchProgress = this.batchProgress.listen(principal.id, (message) => {
      if (conversation.features.includes('batch')) outbox.send(message);
    });
    this.connections.set(socket, { principal, conversation, outbox, stopBatchProgress });
    conversation.enable(requestedFeatures(request));
    conversation.greet();
  }

  handleDisconnect(socket: WebSocket): void {
    const connection = this.connections.get(socket);
    if (!connection) return;
    connection.stopBatchProgress();
    connection.conversation.close();
    connection.outbox.close();
    this.connections.delete(socket);
    this.metrics.connectionClosed();
    this.logger.log(`WebSocket closed: session ${connection.conversation.sessionId}`);
  }

  /** `chunk` has been through validateInbound: its text well-formed, its is_final a boolean or absent. */
  onAsrChunk(socket: WebSocket, chunk: AsrChunk): void {
    if (chunk.text.length > this.config.maxTextChars) {
      throw wireErrors.textTooLong(this.config.maxTextChars);
    }
    this.conversation(socket, chunk.session_id).asrChunk({
      text: chunk.text,
      isFinal: chunk.is_final === true,
      sessionId: chunk.session_id,
    });
  }

  onControl(socket: WebSocket, control: Control): void {
    this.conversation(socket, control.session_id).control(control.action, control.session_id);
  }

  onKeepalive(socket: WebSocket, keepalive: Keepalive): void {
    this.conversation(socket, keepalive.session_id).keepalive(keepalive.session_id);
  }

  /** A hello's `app` is checked first: refused (UNKNOWN_APP, or INVALID_MESSAGE after the first question), nothing of the hello applies. */
  onHello(socket: WebSocket, hello: Hello): void {
    const conversation = this.conversation(socket, hello.session_id);
    if (hello.app !== undefined) {
      const app = connectionApp(this.apps, this.principal(socket), hello.app);
      if (app === undefined) throw wireErrors.unknownApp();
      conversation.useApp(app);
    }
    conversation.hello(hello.features, hello.session_id, hello.inputs);
  }

  onFeedback(socket: WebSocket, feedback: Feedback): void {
    const { answer_id, rating, content } = feedback;
    this.conversation(socket, feedback.session_id).feedback({ answerId: answer_id, rating, content }, feedback.session_id);
  }

  onResume(socket: WebSocket, resume: Resume): void {
    this.metrics.resumeAsked();
    this.conversation(socket, resume.session_id).resume({
      sessionId: resume.session_id,
      answerId: resume.answer_id,
      offset: resume.offset,
      streamIndex: resume.stream_index,
    });
  }

  /** The socket's Conversation, for a message naming `sessionId`: only the session its token allows, if it names one. */
  private conversation(socket: WebSocket, sessionId: string | undefined): Conversation {
    const { principal, conversation } = this.connection(socket);
    const allowed = principal.sessionId;
    if (allowed !== undefined && sessionId !== undefined && sessionId !== allowed) throw wireErrors.sessionNotAllowed();
    return conversation;
  }

  private principal(socket: WebSocket): Principal {
    return this.connection(socket).principal;
  }

  private connection(socket: WebSocket): Connection {
    const connection = this.connections.get(socket);
    if (!connection) throw new Error('message on a socket without a conversation');
    return connection;
  }
}

/** `?features=sources,usage` on the upgrade URL: the same opt-in as a `hello` message. */
function requestedFeatures(request: IncomingMessage): string[] {
  const query = request.url?.split('?')[1];
  return new URLSearchParams(query).get('features')?.split(',') ?? [];
}
