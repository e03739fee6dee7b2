import { Subscription } from 'rxjs';
import { ResumeConfig } from '../config';
import { Feature, ProtocolError, Stage, StatusMessage } from '../protocol';
import { sessionKey } from '../session';
import { markSpan } from '../tracing';
import { AnswerFollowing, WATCH_EVERY_MS } from './answer-following';
import { AnswerLog, AnswerUpstream } from './answer-log';
import { KeptAnswers } from './kept-answers';
import { AnswerHistory, AnswerOutlet, RoomAnswering, RoomMember } from './room-ports';
import { finalChunk, SessionMessage, statusMessage } from './session-message';

/**
 * Messages that reach the connections attached here as they happen, and are neither kept for a
 * resume nor logged for other instances: an app's steps and audio (a resumed answer goes on from
 * its text), and follow-ups that may come after the answer's end.
 */
const LIVE_ONLY: ReadonlySet<SessionMessage['type']> = new Set(['progress', 'audio', 'suggested']);

/**
 * One session on this instance: the connections attached to it (a supervisor's screen beside an
 * agent's, a second tab, a reconnect) and the session's answering (`A`, which the room is the outlet
 * of), so the session has one answer at a time whichever connection asked, and every connection sees
 * it. The answer is the room's, not a socket's: when the last connection goes mid-answer it streams
 * on for RESUME_GRACE_SECONDS (into the record a returning client resumes from), and only then is it
 * stopped upstream. Knows no turns: what it is told to publish, it publishes.
 */
export class SessionRoom<A extends RoomAnswering = RoomAnswering> implements AnswerOutlet {
  readonly answering: A;
  private readonly members = new Set<RoomMember>();
  private readonly kept: KeptAnswers;
  private readonly following: AnswerFollowing;
  private graceTimer?: NodeJS.Timeout;
  /** While connections are attached: the session's answers that other instances announce. */
  private announcements?: Subscription;
  /** The answer whose end is not logged yet. */
  private logging?: string;
  private readonly key: string;
  /** At shutdown, this instance left an answer to the upstream for a client to resume elsewhere. */
  private leftUpstream = false;

  constructor(
    readonly principal: string,
    readonly app: string,
    readonly sessionId: string,
    /** Makes the session's answering, which tells this room (its outlet) what to publish. */
    answering: (outlet: AnswerOutlet) => A,
    private readonly log: AnswerLog,
    history: AnswerHistory,
    private readonly config: Pick<ResumeConfig, 'graceMs' | 'maxLogChars'>,
    /** Nobody is attached and nothing streams: the registry may forget the room after the retention. */
    private readonly onVacant: (room: SessionRoom<A>) => void,
  ) {
    this.key = sessionKey(principal, app, sessionId);
    this.kept = new KeptAnswers(sessionId, config.maxLogChars);
    this.following = new AnswerFollowing(this.key, app, sessionId, log, history, config.maxLogChars);
    this.answering = answering(this);
  }

  get vacant(): boolean {
    return this.members.size === 0 && !this.answering.busy;
  }

  /** Whether this instance handed the session's answer over at shutdown (its clients resume it elsewhere). */
  get handedOver(): boolean {
    return this.leftUpstream;
  }

  join(member: RoomMember): void {
    clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    this.members.add(member);
    // A connection of the session elsewhere may ask: its answer reaches this one's connections too.
    this.announcements ??= this.log.announcements(this.key).subscribe({
      next: (answerId) => this.elsewhere(answerId),
      error: () => (this.announcements = undefined),
    });
    // Until they are heard, its client is told nothing, not that it joined: an answer asked at once elsewhere would be missed.
    const heard = this.log.untilHeard(this.key);
    if (heard) member.holdUntil(heard);
  }

  /**
   * A connection leaves. With `reason` the service ends it (shutdown): it is sent the current
   * answer's interrupted final chunk, and a last connection's answer is stopped at once. Otherwise
   * the client went: a last connection's answer streams on for the grace, then is stopped.
   */
  leave(member: RoomMember, reason?: ProtocolError): void {
    this.following.stop(member);
    if (!this.members.delete(member)) return;
    if (this.members.size === 0) {
      this.announcements?.unsubscribe();
      this.announcements = undefined;
    }
    const current = this.answering.current;
    if (reason && current) member.receive(finalChunk(current, this.sessionId, 'interrupted'));
    if (this.members.size > 0) return;
    if (!this.answering.busy) return this.onVacant(this);
    if (reason || this.config.graceMs === 0) return this.stopAnswering();
    this.graceTimer = setTimeout(() => void this.stopUnlessFollowed(), this.config.graceMs).unref();
  }

  /**
   * Sends `member` the rest of answer `answerId` after the `offset` code points it has, then (for an
   * answer that ended) how it ended and status{idle}; a live answer's chunks follow as they come. An
   * answer this instance does not stream is read from the shared log (Redis) and followed there.
   * False when the answer is unknown or no longer kept. (The chunks' numbering is the connection's.)
   */
  async resume(member: RoomMember, answerId: string, offset: number): Promise<boolean> {
    const local = this.kept.find(answerId);
    if (local) {
      if (!local.resumable) return false;
      this.kept.replay(member, local, offset);
      // A newer answer of the session streaming now ends with its own idle.
      if (local.ended && !this.answering.busy) member.receive(statusMessage('idle', this.sessionId));
      return true;
    }
    const logged = this.log.shared ? await this.log.read(this.key, answerId) : undefined;
    if (!logged || !this.members.has(member)) return false;
    this.following.resume(member, answerId, offset, logged, !this.answering.busy);
    return true;
  }

  /**
   * The service stops, leaving the answer to the upstream for a client to resume elsewhere: the
   * answer is cut here, without its interrupted final chunk, and its log says it was handed over.
   */
  handOver(): void {
    clearTimeout(this.graceTimer);
    const current = this.answering.current;
    this.answering.cancel(false);
    if (current && this.logging === current) {
      markSpan('hand_over', { 'realtime_rag.answer_id': current });
      this.log.handOver(this.key, current);
      this.leftUpstream = true;
    } else this.endLogged();
    this.logging = undefined;
  }

  /**
   * A client's stop (STOP_MODE=reset): the answer in flight is closed as interrupted and stopped
   * upstream, a queued question forgotten, and every connection told status{idle} (with `note`).
   * False when this instance answered nothing for the session.
   */
  cancelAnswer(note: string): boolean {
    if (!this.answering.busy) return false;
    this.answering.cancel(true);
    this.status('idle', { note });
    this.settled();
    return true;
  }

  /** The service stops: the answer is stopped upstream, whoever follows it. */
  close(): void {
    clearTimeout(this.graceTimer);
    this.announcements?.unsubscribe();
    this.following.stopAll();
    this.answering.cancel(true);
    this.endLogged();
  }

  /**
   * A connection that joins the session mid-answer (naming it in a message other than resume) is
   * shown the answer from its start: its querying_rag status, the text so far, then (as any member)
   * the live chunks. Only an answer this instance streams: another instance's shows from its next answer.
   */
  catchUp(member: RoomMember): void {
    this.kept.catchUp(member);
  }

  /** The grace is over: the answer is stopped, unless a client follows it from another instance. */
  private async stopUnlessFollowed(): Promise<void> {
    const current = this.answering.current;
    const followed = current !== undefined && this.log.shared && (await this.log.watched(this.key, current));
    if (this.members.size > 0 || this.answering.current !== current) return;
    if (followed) this.graceTimer = setTimeout(() => void this.stopUnlessFollowed(), WATCH_EVERY_MS * 2).unref();
    else this.stopAnswering();
  }

  private stopAnswering(): void {
    this.graceTimer = undefined;
    this.answering.cancel(true);
    this.endLogged();
    if (this.vacant) this.onVacant(this);
  }

  /** Another instance started an answer of this session: its connections here follow it. */
  private elsewhere(answerId: string): void {
    if (this.kept.find(answerId)) return;
    for (const member of this.members) this.following.start(member, answerId);
  }

  /** The answer being logged has no more to say. */
  private endLogged(): void {
    if (this.logging) this.log.end(this.key, this.logging);
    this.logging = undefined;
  }

  // ---- AnswerOutlet: what the session's answering tells its room ----

  begin(answerId: string): void {
    this.endLogged();
    this.logging = answerId;
    this.log.announce(this.key, answerId);
    this.kept.begin(answerId);
  }

  /** An answer taken back before any of it was sent: nothing to resume, and its log ends. */
  withdraw(answerId: string): void {
    this.kept.withdraw(answerId);
    if (this.logging === answerId) this.endLogged();
  }

  upstream(answerId: string, upstream: AnswerUpstream): void {
    this.log.describe(this.key, answerId, upstream);
  }

  wants(feature: Feature): boolean {
    for (const member of this.members) if (member.features().includes(feature)) return true;
    return false;
  }

  fail(error: ProtocolError): void {
    this.send(error.toMessage(this.sessionId));
  }

  send(message: SessionMessage, feature?: Feature): void {
    if (!LIVE_ONLY.has(message.type)) {
      const answerId = this.kept.record(message, feature);
      if (answerId && this.logging === answerId) this.log.append(this.key, answerId, { message, feature });
    }
    for (const member of this.members) if (!feature || member.features().includes(feature)) member.receive(message);
  }

  status(stage: Stage, extra: Partial<StatusMessage> = {}): void {
    const message = statusMessage(stage, this.sessionId, extra);
    if (stage === 'querying_rag') this.kept.starting(message);
    for (const member of this.members) member.receive(message);
  }

  settled(): void {
    this.endLogged();
    if (this.vacant) this.onVacant(this);
  }
}
