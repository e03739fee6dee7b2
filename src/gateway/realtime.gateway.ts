import { BeforeApplicationShutdown, Inject, Logger } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { OnGatewayConnection, OnGatewayDisconnect, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WebSocket, WebSocketServer as WsServer } from 'ws';
import { Authenticator } from '../auth';
import { appConfig, limitsConfig } from '../config';
import { Answers, Conversation, ConversationFactory, SessionRooms } from '../conversation';
import { ShutdownState } from '../lifecycle';
import { Metrics } from '../metrics';
import { AsrChunk, Control, Feedback, Hello, Keepalive, Resume, wireErrors } from '../protocol';
import { rememberTraceContext } from '../tracing';
import { Connections } from './connections';
import { BatchProgressPush } from './batch-progress-push';
import { Outbox, OutboxLimits } from './outbox';

/** After the grace, how long a client may take to read what is left and close; then it is cut off. */
const CLOSE_WAIT_MS = 2000;

/**
 * The WebSocket endpoint (path and frame limit come from RealtimeWsAdapter). Thin: it hands each
 * message, validated by InboundDispatch, to the socket's Conversation, whose messages it sends back.
 * A handler's error is answered by InboundDispatch.
 */
@WebSocketGateway()
export class RealtimeGateway implements OnGatewayConnection, OnGatewayDisconnect, BeforeApplicationShutdown {
  @WebSocketServer() private readonly server!: WsServer;
  private readonly logger = new Logger(RealtimeGateway.name);
  private readonly outboxLimits: OutboxLimits;

  constructor(
    private readonly conversations: ConversationFactory,
    private readonly answers: Answers,
    private readonly rooms: SessionRooms,
    private readonly connections: Connections,
    private readonly authenticator: Authenticator,
    @Inject(appConfig.KEY) private readonly config: ConfigType<typeof appConfig>,
    private readonly shutdown: ShutdownState,
    @Inject(limitsConfig.KEY) limits: ConfigType<typeof limitsConfig>,
    private readonly metrics: Metrics,
    private readonly batchProgress: BatchProgressPush,
  ) {
    this.outboxLimits = {
      highWaterBytes: limits.sendHighWaterBytes,
      hardLimitBytes: limits.sendHardLimitBytes,
      chunkMaxChars: limits.sendChunkMaxChars,
    };
  }

  /**
   * On SIGTERM (Nest's shutdown hooks): readiness turns 503 and upgrades are refused at once, answers
   * in flight get SHUTDOWN_GRACE_MS to finish. With Redis, the answers still streaming are then
   * handed over: left generating at Dify, for their clients to resume on another instance. Then every
   * conversation ends with SHUTTING_DOWN. Without Redis, an answer still streaming gets its
   * interrupted final chunk and the error, and is aborted and stopped upstream (DifyClient waits for
   * those stop calls at its own shutdown). Each Outbox sends what is left and closes its socket with
   * 1001. Answers still streaming for nobody (a client that went, within RESUME_GRACE_SECONDS) are
   * handed over or stopped the same way. Resolves when every client has closed, or
   * CLOSE_WAIT_MS later: Nest then cuts off the slow ones.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.shutdown.drain();
    const deadline = Date.now() + this.config.shutdownGraceMs;
    while (this.answers.inFlight > 0 && Date.now() < deadline) await sleep(50);
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
    await Promise.race([Promise.all(closed), sleep(CLOSE_WAIT_MS, undefined, { ref: false })]);
  }

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    // The upgrade was authenticated already (RealtimeWsAdapter); this only names the principal.
    const principal = this.authenticator.authenticate(request);
    if (principal === undefined) {
      socket.close(1008, 'unauthorized');
      return;
    }
    // Every answer asked on this socket continues the upgrade's traceparent (when tracing is on).
    rememberTraceContext(socket, request.headers);
    // A reader too slow to finish the closing handshake must not keep its answer running upstream.
    const outbox = new Outbox(
      socket,
      this.outboxLimits,
      () => conversation.close(),
      (code) => this.metrics.errorSent(code),
    );
    const conversation = this.conversations.create(principal, outbox);
    this.metrics.connectionOpened();
    this.logger.log(`WebSocket connected: principal ${principal}, session ${conversation.sessionId}`);
    const stopBatchProgress = this.batchProgress.listen(principal, (message) => {
      if (conversation.features.includes('batch')) outbox.send(message);
    });
    this.connections.set(socket, { conversation, outbox, stopBatchProgress });
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
    this.conversation(socket).asrChunk({ text: chunk.text, isFinal: chunk.is_final === true, sessionId: chunk.session_id });
  }

  onControl(socket: WebSocket, control: Control): void {
    this.conversation(socket).control(control.action, control.session_id);
  }

  onKeepalive(socket: WebSocket, keepalive: Keepalive): void {
    this.conversation(socket).keepalive(keepalive.session_id);
  }

  onHello(socket: WebSocket, hello: Hello): void {
    this.conversation(socket).hello(hello.features, hello.session_id, hello.inputs);
  }

  onFeedback(socket: WebSocket, feedback: Feedback): void {
    const { answer_id, rating, content } = feedback;
    this.conversation(socket).feedback({ answerId: answer_id, rating, content }, feedback.session_id);
  }

  onResume(socket: WebSocket, resume: Resume): void {
    this.metrics.resumeAsked();
    this.conversation(socket).resume({
      sessionId: resume.session_id,
      answerId: resume.answer_id,
      offset: resume.offset,
      streamIndex: resume.stream_index,
    });
  }

  private conversation(socket: WebSocket): Conversation {
    const connection = this.connections.get(socket);
    if (!connection) throw new Error('message on a socket without a conversation');
    return connection.conversation;
  }
}

/** `?features=sources,usage` on the upgrade URL: the same opt-in as a `hello` message. */
function requestedFeatures(request: IncomingMessage): string[] {
  const query = request.url?.split('?')[1];
  return new URLSearchParams(query).get('features')?.split(',') ?? [];
}
