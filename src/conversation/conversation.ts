import { Logger } from '@nestjs/common';
import { TurnConfig } from '../config';
import { AckMessage, ControlAction, Feature, knownFeatures, ProtocolError, Stage, StatusMessage, wireErrors } from '../protocol';
import { tracedCall } from '../tracing';
import { Rating } from './answer-feedback';
import { Hearing, HearingDeps, Verdict } from './hearing';
import { ConversationMessage, MessageSink, statusMessage } from './message-sink';
import { RoomMember, SessionRoom } from './session-room';
import { NothingToAskError } from './turn-errors';
import { toWireError } from './error-mapping';

export interface AsrChunk {
  text: string;
  isFinal: boolean;
  sessionId?: string;
}

/** What a Conversation needs from the rest of the app. */
export interface ConversationDeps {
  detect: (text: string) => Verdict;
  turn: HearingDeps['turn'];
  now?: () => number;
  /** This instance's session rooms (SessionRooms): where a session's answers are. */
  rooms: { room(principal: string, sessionId: string): SessionRoom };
  /** Checks and keeps a session's inputs for the Dify app (SessionInputs). */
  setInputs?: (principal: string, sessionId: string, inputs: Record<string, unknown>) => Promise<void>;
  /** Sends feedback on one of the session's answers to Dify (AnswerFeedback). */
  rate?: (principal: string, sessionId: string, rating: Rating) => Promise<void>;
  /** What control{stop} does (STOP_MODE; `close` when not given). */
  stopMode?: TurnConfig['stopMode'];
}

/** What a resuming client says it has of an answer (see the `resume` message). */
export interface ResumePoint {
  sessionId: string;
  answerId: string;
  /** Code points of the answer's content the client has, counted since the last replace it saw. */
  offset: number;
  /** The stream_index it expects next. */
  streamIndex: number;
}

const NO_FEATURES: readonly Feature[] = [];

/** The note of the status that answers control{stop}: `closed` (STOP_MODE=close) or `idle` (reset). */
export const STOPPED = 'stopped by the client';

const logger = new Logger('Conversation');

/**
 * One connection's dialogue: the client's messages in, statuses, answers and errors out to its
 * sink, which is ended when the conversation is over (stop, or the socket went). Every inbound
 * message is acknowledged first. Hearing turns the transcript into questions; the session's room
 * answers them (one answer at a time for the session, seen by all its connections); this class
 * holds the connection's session, controls and opt-in features. Knows nothing of sockets.
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
  /** The session's room, once joined (see `room`). */
  private joined?: SessionRoom;
  /** This connection as its room sees it. */
  private readonly member: RoomMember;

  constructor(
    private readonly deps: ConversationDeps,
    readonly principal: string,
    private session: string,
    private readonly sink: MessageSink,
  ) {
    this.hearing = new Hearing(
      { detect: deps.detect, turn: deps.turn, now: deps.now ?? Date.now },
      {
        question: (text) => this.afterInputs(() => this.room.answering.heard(text)),
        retract: (text) => this.room.answering.retract(text),
        nothingAsked: () => this.status('waiting_for_question'),
      },
    );
    this.member = {
      features: () => this.enabled,
      send: (message) => this.emit(message),
      continueAt: (streamIndex) => this.sink.continueAt(streamIndex),
      idle: () => this.stopping && this.finish(),
    };
  }

  /**
   * The session's room, joined when first needed (a question, a control, a resume, naming a
   * session): an idle connection costs no room. Until then another connection's answer in the
   * server-made session is not shown here; nobody else knows that session's id but this client.
   */
  private get room(): SessionRoom {
    return this.joined ?? this.join();
  }

  private join(): SessionRoom {
    this.joined = this.deps.rooms.room(this.principal, this.session);
    this.joined.join(this.member);
    return this.joined;
  }

  get sessionId(): string {
    return this.session;
  }

  get features(): readonly Feature[] {
    return this.enabled;
  }

  /** The greeting: ack{connected} with the session id, then status{listening}. */
  greet(): void {
    this.emit({ type: 'ack', message: 'connected', session_id: this.session });
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
    const joined = this.adopt(sessionId);
    this.ack({ received_type: 'hello', features: this.enable(features) }, joined);
    if (!inputs || !this.deps.setInputs) return;
    const settling: Promise<void> = this.deps
      .setInputs(this.principal, this.session, inputs)
      .catch((error: unknown) => this.fail(error))
      .finally(() => this.settling === settling && (this.settling = undefined));
    this.settling = settling;
  }

  /** The client rates one of the session's answers: acked, then sent to Dify (an error if that fails). */
  feedback(rating: Rating, sessionId?: string): void {
    this.ack({ received_type: 'feedback' }, this.adopt(sessionId));
    this.deps.rate?.(this.principal, this.session, rating).catch((error: unknown) => this.fail(error));
  }

  asrChunk(chunk: AsrChunk): void {
    const joined = this.adopt(chunk.sessionId);
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
    this.ack({ received_type: 'control' }, this.adopt(sessionId));
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
        this.afterInputs(() => this.room.answering.ask(text, 'instant'));
        return;
      }
      case 'stop':
        if (this.deps.stopMode === 'reset') return this.reset();
        // A question already heard is answered and an answer in flight finishes; then the conversation closes.
        this.stopping = true;
        this.hearing.flush();
        if (!this.joined?.answering.busy) this.finish();
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
    if (!this.joined?.cancelAnswer(STOPPED)) this.status('idle', { note: STOPPED });
  }

  keepalive(sessionId?: string): void {
    this.ack({ received_type: 'keepalive' }, this.adopt(sessionId));
  }

  /** A reconnected client asks for the rest of an answer it was receiving (any connection of the session may have asked it). */
  resume(point: ResumePoint): void {
    this.adopt(point.sessionId);
    // No catch-up from the answer's start: the resume sends what the client lacks.
    this.ack({ received_type: 'resume' }, false);
    const attributes = { 'realtime_rag.answer_id': point.answerId };
    void tracedCall('resume', () => this.room.resume(this.member, point.answerId, point.offset, point.streamIndex), attributes).then(
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
    const room = this.joined;
    const unanswered = room?.answering.busy || room?.handedOver || this.hearing.waiting;
    this.hearing.drop();
    room?.leave(this.member, this.ended ? undefined : reason);
    if (this.ended) return;
    if (reason && unanswered) this.fail(reason);
    this.ended = true;
    this.sink.end(reason);
  }

  /**
   * A client may name its session in any message; from then on turns continue that session, in its
   * room. True when the connection joined another session's room.
   */
  private adopt(sessionId: string | undefined): boolean {
    if (!sessionId || sessionId === this.session) return false;
    logger.log(`Connection of session ${this.session} continues session ${sessionId}`);
    this.session = sessionId;
    this.joined?.leave(this.member);
    this.joined = undefined;
    // A session the client named is joined at once: its answers show here from now on.
    this.join();
    return true;
  }

  /** Acknowledges a message; a connection that `joined` its session mid-answer is then shown that answer from its start. */
  private ack(ack: Omit<AckMessage, 'type' | 'session_id'>, joined: boolean): void {
    this.emit({ type: 'ack', ...ack, session_id: this.session });
    if (joined) this.room.catchUp(this.member);
  }

  /** Asks now, or once the inputs of a hello are settled, so a question that follows a hello goes with them. */
  private afterInputs(ask: () => void): void {
    if (!this.settling) return void (this.ended || ask());
    void this.settling.then(() => this.ended || ask());
  }

  private finish(): void {
    this.status('closed', { note: STOPPED });
    this.close();
  }

  private fail(error: unknown): void {
    this.emit(toWireError(error).toMessage(this.session));
  }

  private status(stage: Stage, extra: Partial<StatusMessage> = {}): void {
    this.emit(statusMessage(stage, this.session, extra));
  }

  private emit(message: ConversationMessage): void {
    if (!this.ended) this.sink.send(message);
  }
}
