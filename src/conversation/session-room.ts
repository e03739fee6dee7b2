import { ResumeConfig } from '../config';
import { Feature, ProtocolError, Stage, StatusMessage } from '../protocol';
import { withoutUndefined } from './answer-report';
import { AnswerRecord } from './answer-record';
import { Answering, AnsweringDeps } from './answering';
import { ConversationMessage } from './message-sink';

/** A connection in a session's room: where the session's answers reach it. */
export interface RoomMember {
  /** The opt-in protocol additions this connection asked for (sources, usage). */
  features(): readonly Feature[];
  send(message: ConversationMessage): void;
  /** The next answer chunk this connection is sent is number `streamIndex` (a resumed answer). */
  continueAt(streamIndex: number): void;
  /** The session's answering is idle: a connection that is stopping may close. */
  idle(): void;
}

/** Answers a room keeps for resuming: the one streaming and the one before it. */
const KEPT_ANSWERS = 2;

/**
 * One session on this instance: the connections attached to it (a supervisor's screen beside an
 * agent's, a second tab, a reconnect) and its Answering, so the session has one answer at a time
 * whichever connection asked, and every connection sees it. The answer is the room's, not a
 * socket's: when the last connection goes mid-answer it streams on for RESUME_GRACE_SECONDS (into
 * the record a returning client resumes from), and only then is it stopped upstream.
 */
export class SessionRoom {
  readonly answering: Answering;
  private readonly members = new Set<RoomMember>();
  private readonly answers: AnswerRecord[] = [];
  private graceTimer?: NodeJS.Timeout;

  constructor(
    readonly principal: string,
    readonly sessionId: string,
    deps: AnsweringDeps,
    private readonly config: Pick<ResumeConfig, 'graceMs' | 'maxLogChars'>,
    /** Nobody is attached and nothing streams: the registry may forget the room after the retention. */
    private readonly onVacant: (room: SessionRoom) => void,
  ) {
    this.answering = new Answering(deps, {
      principal,
      sessionId,
      begin: (answerId) => this.begin(answerId),
      send: (message, feature) => this.send(message, feature),
      status: (stage, extra) => this.status(stage, extra),
      fail: (error) => this.send(error.toMessage(sessionId)),
      idle: () => this.idle(),
    });
  }

  get vacant(): boolean {
    return this.members.size === 0 && !this.answering.busy;
  }

  join(member: RoomMember): void {
    clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    this.members.add(member);
  }

  /**
   * A connection leaves. With `reason` the service ends it (shutdown): it is sent the current
   * answer's interrupted final chunk, and a last connection's answer is stopped at once. Otherwise
   * the client went: a last connection's answer streams on for the grace, then is stopped.
   */
  leave(member: RoomMember, reason?: ProtocolError): void {
    if (!this.members.delete(member)) return;
    const current = this.answering.current;
    if (reason && current) {
      member.send({
        type: 'answer',
        content: '',
        final: true,
        finish_reason: 'interrupted',
        answer_id: current,
        session_id: this.sessionId,
      });
    }
    if (this.members.size > 0) return;
    if (!this.answering.busy) return this.onVacant(this);
    if (reason || this.config.graceMs === 0) return this.stopAnswering();
    this.graceTimer = setTimeout(() => this.stopAnswering(), this.config.graceMs).unref();
  }

  /**
   * Sends `member` the rest of answer `answerId` after the `offset` code points it has, numbered
   * from `streamIndex`, then (for an answer that ended) how it ended and status{idle}; a live
   * answer's chunks follow as they come. False when the answer is unknown or no longer kept.
   */
  resume(member: RoomMember, answerId: string, offset: number, streamIndex: number): boolean {
    const record = this.answers.find((a) => a.id === answerId);
    if (!record?.resumable) return false;
    const { chunk, closing } = record.rest(offset, member.features());
    member.continueAt(streamIndex);
    if (chunk) member.send({ type: 'answer', ...chunk, final: false, answer_id: answerId, session_id: this.sessionId });
    for (const message of closing) member.send(message);
    if (record.ended) member.send(this.statusMessage('idle'));
    return true;
  }

  /** The service stops: the answer is stopped upstream, whoever follows it. */
  close(): void {
    clearTimeout(this.graceTimer);
    this.answering.cancel(true);
  }

  private stopAnswering(): void {
    this.graceTimer = undefined;
    this.answering.cancel(true);
    if (this.vacant) this.onVacant(this);
  }

  private begin(answerId: string): void {
    this.answers.push(new AnswerRecord(answerId, this.config.maxLogChars));
    if (this.answers.length > KEPT_ANSWERS) this.answers.shift();
  }

  private send(message: ConversationMessage, feature?: Feature): void {
    this.answers.at(-1)?.record(message, feature);
    for (const member of this.members) if (!feature || member.features().includes(feature)) member.send(message);
  }

  private status(stage: Stage, extra: Partial<StatusMessage> = {}): void {
    const message = this.statusMessage(stage, extra);
    for (const member of this.members) member.send(message);
  }

  private statusMessage(stage: Stage, extra: Partial<StatusMessage> = {}): StatusMessage {
    return { type: 'status', stage, ...withoutUndefined(extra), session_id: this.sessionId };
  }

  private idle(): void {
    for (const member of this.members) member.idle();
    if (this.vacant) this.onVacant(this);
  }
}
