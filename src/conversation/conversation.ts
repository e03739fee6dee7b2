import { AckMessage, ControlAction, Feature, knownFeatures, ProtocolError, Stage, StatusMessage, wireErrors } from '../protocol';
import { tracedCall } from '../tracing';
import { Rating } from './answer-feedback';
import { AsrChunk, ConversationDeps, ResumePoint } from './conversation.types';
import { Hearing } from './hearing';
import { ConversationMessage, MessageSink } from './message-sink';
import { RoomMember, SessionMessage, statusMessage } from '../session-hub';
import { SessionMembership } from './session-membership';
import { Answering } from './answering';
import { NothingToAskError } from './turn-errors';
import { toWireError } from './error-mapping';

const NO_FEATURES: readonly Feature[] = [];

/** The note of the status that answers control{stop}: `closed` (STOP_MODE=close) or `idle` (reset). */
export const STOPPED = 'stopped by the client';

/**
 * One connection's dialogue: the client's messages in, statuses, answers and errors out to its
 * sink, which is ended when the conversation is over (stop, or the socket went). Every inbound
 * message is acknowledged first. Hearing turns the transcript into questions; the session's
 * Answering (one per session, held by its room) answers them, and the room publishes its messages to
 * every connection of the session, this one as a RoomMember. This class holds the connection's
 * controls and opt-in features and decides its own ending. Knows nothing of sockets.
 */
export class Conversation {
  private ended = false;
  private paused = false;
  private stopping = false;
  /** The opt-in protocol additions this client asked for. */
  private enabled = NO_FEATURES;
  private readonly hearing: Hearing;
  /** A hello's inputs being checked and kept: a question heard meanwhile waits for them. */
  private settling?: Promise<void>;
  private readonly membership: SessionMembership;
  /** A question was asked: the connection's app is settled. */
  private asked = false;

  constructor(
    private readonly deps: ConversationDeps,
    readonly principal: string,
    app: string,
    session: string,
    private readonly sink: MessageSink,
  ) {
    const member: RoomMember = {
      features: () => this.enabled,
      receive: (message) => this.receive(message),
      holdUntil: (ready) => this.sink.holdUntil(ready),
    };
    this.membership = new SessionMembership(deps.rooms, principal, app, session, member);
    this.hearing = new Hearing(
      { detect: deps.detect, turn: deps.turn, now: deps.now ?? Date.now },
      {
        question: (text) => this.afterInputs(() => this.answering.heard(text)),
        // Taken back before any of its answer showed: Hearing waits again with it, to join what follows.
        wentOn: (text) => {
          if (this.answering.retract(text)) this.hearing.reopen(text);
        },
        nothingAsked: () => this.status('waiting_for_question'),
      },
    );
  }

  /** The session's answering (one for all its connections, in its room). */
  private get answering(): Answering {
    return this.membership.room.answering;
  }

  get sessionId(): string {
    return this.membership.sessionId;
  }

  /**
   * The connection's app from now on (a hello's `app`, which the gateway checked): its sessions are
   * that app's. Only before the first question: after it, another app is an INVALID_MESSAGE error.
   */
  useApp(app: string): void {
    if (app === this.membership.app) return;
    if (this.asked) throw wireErrors.appAlreadyChosen(this.membership.app);
    this.membership.useApp(app);
  }

  get features(): readonly Feature[] {
    return this.enabled;
  }

  /** The greeting: ack{connected} with the session id, then status{listening}. */
  greet(): void {
    this.emit({ type: 'ack', message: 'connected', session_id: this.sessionId });
    this.status('listening');
  }

  /** Turns on the known features among `names` (and off the others); unknown names are ignored. */
  enable(names: readonly string[]): Feature[] {
    const features = knownFeatures(names);
    this.enabled = features.length ? features : NO_FEATURES;
    return features;
  }

  /** Features for this connection; `inputs` for the session's Dify app, checked and kept (an error after the ack if bad). */
  hello(features: readonly string[], sessionId?: string, inputs?: Record<string, unknown>): void {
    const joined = this.membership.adopt(sessionId);
    this.ack({ received_type: 'hello', features: this.enable(features) }, joined);
    if (!inputs || !this.deps.setInputs) return;
    const settling: Promise<void> = this.deps
      .setInputs(this.principal, this.membership.app, this.sessionId, inputs)
      .catch((error: unknown) => this.fail(error))
      .finally(() => this.settling === settling && (this.settling = undefined));
    this.settling = settling;
  }

  /** The client rates one of the session's answers: acked, then sent to Dify (an error if that fails). */
  feedback(rating: Rating, sessionId?: string): void {
    this.ack({ received_type: 'feedback' }, this.membership.adopt(sessionId));
    this.deps.rate?.(this.principal, this.membership.app, this.sessionId, rating).catch((error: unknown) => this.fail(error));
  }

  asrChunk(chunk: AsrChunk): void {
    const joined = this.membership.adopt(chunk.sessionId);
    if (this.paused) {
      this.ack({ received_type: 'asr_chunk', message: 'paused' }, joined);
      this.status('paused', { note: 'transcript ignored while paused; send control resume' });
      return;
    }
    this.ack({ received_type: 'asr_chunk', is_final: chunk.isFinal }, joined);
    if (this.stopping) return;
    if (!chunk.isFinal) return this.hearing.partial(chunk.text);
    const text = chunk.text.trim();
    if (!text) return this.fail(new NothingToAskError('empty-final'));
    this.hearing.final(text);
  }

  control(action: ControlAction, sessionId?: string): void {
    this.ack({ received_type: 'control' }, this.membership.adopt(sessionId));
    switch (action) {
      case 'pause':
        // A question already heard is still answered.
        this.hearing.flush();
        this.paused = true;
        this.status('paused');
        return;
      case 'resume':
        this.paused = false;
        this.status('listening');
        return;
      case 'instant_query': {
        const text = this.hearing.take();
        if (!text) return this.fail(new NothingToAskError('no-final-yet'));
        this.afterInputs(() => this.answering.ask(text, 'instant'));
        return;
      }
      case 'stop':
        if (this.deps.stopMode === 'reset') return this.reset();
        // A question already heard is answered and an answer in flight finishes; then the conversation closes.
        this.stopping = true;
        this.hearing.flush();
        if (!this.membership.current?.answering.busy) this.finish();
        return;
    }
  }

  /**
   * STOP_MODE=reset, as the Python service's last release: the answer in flight is cancelled (its
   * interrupted final chunk, then status{idle}, to every connection of the session that saw it), what
   * was heard but not answered is forgotten, and the connection listens on for the next question.
   */
  private reset(): void {
    this.hearing.forget();
    if (!this.membership.current?.cancelAnswer(STOPPED)) this.status('idle', { note: STOPPED });
  }

  keepalive(sessionId?: string): void {
    this.ack({ received_type: 'keepalive' }, this.membership.adopt(sessionId));
  }

  /** A reconnected client asks for the rest of an answer it was receiving (any connection of the session may have asked it). */
  resume(point: ResumePoint): void {
    this.membership.adopt(point.sessionId);
    // No catch-up from the answer's start: the resume sends what the client lacks.
    this.ack({ received_type: 'resume' }, false);
    this.sink.continueAt(point.answerId, point.streamIndex);
    const attributes = { 'realtime_rag.answer_id': point.answerId };
    void tracedCall('resume', () => this.membership.resume(point.answerId, point.offset), attributes).then(
      (resumed) => resumed || this.fail(wireErrors.resumeUnavailable()),
      (error: unknown) => this.fail(error),
    );
  }

  /**
   * The conversation is over: the client went, or the service ends it with `reason` (at shutdown).
   * The answer in flight is cancelled, which aborts and stops it upstream. With a reason, the client
   * is told what it loses: the answer's interrupted final chunk, then the reason, if an answer was in
   * flight or a question waiting. An answer handed over at shutdown has no final chunk here: the
   * client resumes it elsewhere.
   */
  close(reason?: ProtocolError): void {
    const room = this.membership.current;
    const unanswered = room?.answering.busy || room?.handedOver || this.hearing.waiting;
    this.hearing.drop();
    this.membership.leave(this.ended ? undefined : reason);
    if (this.ended) return;
    if (reason && unanswered) this.fail(reason);
    this.ended = true;
    this.sink.end(reason);
  }

  /** Acknowledges a message; a connection that `joined` its session mid-answer is then shown that answer from its start. */
  private ack(ack: Omit<AckMessage, 'type' | 'session_id'>, joined: boolean): void {
    this.emit({ type: 'ack', ...ack, session_id: this.sessionId });
    if (joined) this.membership.catchUp();
  }

  /** Asks now, or once the inputs of a hello are settled, so a question that follows a hello goes with them. */
  private afterInputs(ask: () => void): void {
    this.asked = true;
    if (!this.settling) return void (this.ended || ask());
    void this.settling.then(() => this.ended || ask());
  }

  /** A message of the session; a stopping conversation closes once its session's answering is idle. */
  private receive(message: SessionMessage): void {
    this.emit(message);
    if (this.stopping && message.type === 'status' && message.stage === 'idle' && !this.membership.current?.answering.busy) this.finish();
  }

  private finish(): void {
    this.status('closed', { note: STOPPED });
    this.close();
  }

  private fail(error: unknown): void {
    this.emit(toWireError(error).toMessage(this.sessionId));
  }

  private status(stage: Stage, extra: Partial<StatusMessage> = {}): void {
    this.emit(statusMessage(stage, this.sessionId, extra));
  }

  private emit(message: ConversationMessage): void {
    if (!this.ended) this.sink.send(message);
  }
}
