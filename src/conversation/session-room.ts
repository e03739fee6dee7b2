import { Observable, Subscription } from 'rxjs';
import { ResumeConfig } from '../config';
import { Feature, ProtocolError, Stage, StatusMessage } from '../protocol';
import { AnswerLog, AnswerUpstream, OwnerGoneError, sessionKey } from '../session';
import { markSpan } from '../tracing';
import { AnswerRecord } from './answer-record';
import { ClientPosition } from './client-position';
import { AnswerStart, SavedAnswer } from './answers';
import { Answering, AnsweringDeps, AnsweringOutlet } from './answering';
import { ConversationMessage, statusMessage } from './message-sink';

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

/**
 * Messages that reach the connections attached here as they happen, and are neither kept for a
 * resume nor logged for other instances: an app's steps and audio (a resumed answer goes on from
 * its text), and follow-ups that may come after the answer's end.
 */
const LIVE_ONLY: ReadonlySet<ConversationMessage['type']> = new Set(['progress', 'audio', 'suggested']);

/** Answers a room keeps for resuming: the one streaming and the one before it. */
const KEPT_ANSWERS = 2;
/** A resumed answer whose log stays silent this long has lost its owner (an instance that died). */
const FOLLOW_IDLE_MS = 6000;
/** While a client follows an answer from another instance, its owner is told this often to keep it going. */
const WATCH_EVERY_MS = 1000;

/**
 * One session on this instance: the connections attached to it (a supervisor's screen beside an
 * agent's, a second tab, a reconnect) and its Answering, so the session has one answer at a time
 * whichever connection asked, and every connection sees it. The answer is the room's, not a
 * socket's: when the last connection goes mid-answer it streams on for RESUME_GRACE_SECONDS (into
 * the record a returning client resumes from), and only then is it stopped upstream.
 */
export class SessionRoom implements AnsweringOutlet {
  readonly answering: Answering;
  private readonly members = new Set<RoomMember>();
  private readonly answers: AnswerRecord[] = [];
  /** Members following an answer streamed by another instance, through the shared log. */
  private readonly following = new Map<RoomMember, Subscription>();
  private graceTimer?: NodeJS.Timeout;
  /** While connections are attached: the session's answers that other instances announce. */
  private announcements?: Subscription;
  /** The answer whose end is not logged yet. */
  private logging?: string;
  private readonly key: string;
  /** The status that started the latest answer, for a connection that joins mid-answer. */
  private started?: StatusMessage;
  /** At shutdown, this instance left an answer to Dify for a client to resume elsewhere. */
  private leftToDify = false;

  constructor(
    readonly principal: string,
    readonly sessionId: string,
    deps: AnsweringDeps,
    private readonly log: AnswerLog,
    /** An answer as Dify saved it, for a client whose answer's instance died. */
    private readonly savedAnswer: (upstream: AnswerUpstream) => Observable<SavedAnswer>,
    private readonly config: Pick<ResumeConfig, 'graceMs' | 'maxLogChars'>,
    /** Nobody is attached and nothing streams: the registry may forget the room after the retention. */
    private readonly onVacant: (room: SessionRoom) => void,
  ) {
    this.key = sessionKey(principal, sessionId);
    // The room is its Answering's outlet: methods, not closures, since every connection has a room.
    this.answering = new Answering(deps, this);
  }

  get vacant(): boolean {
    return this.members.size === 0 && !this.answering.busy;
  }

  /** Whether this instance handed the session's answer over at shutdown (its clients resume it elsewhere). */
  get handedOver(): boolean {
    return this.leftToDify;
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
  }

  /**
   * A connection leaves. With `reason` the service ends it (shutdown): it is sent the current
   * answer's interrupted final chunk, and a last connection's answer is stopped at once. Otherwise
   * the client went: a last connection's answer streams on for the grace, then is stopped.
   */
  leave(member: RoomMember, reason?: ProtocolError): void {
    this.following.get(member)?.unsubscribe();
    this.following.delete(member);
    if (!this.members.delete(member)) return;
    if (this.members.size === 0) {
      this.announcements?.unsubscribe();
      this.announcements = undefined;
    }
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
    this.graceTimer = setTimeout(() => void this.stopUnlessFollowed(), this.config.graceMs).unref();
  }

  /**
   * Sends `member` the rest of answer `answerId` after the `offset` code points it has, numbered
   * from `streamIndex`, then (for an answer that ended) how it ended and status{idle}; a live
   * answer's chunks follow as they come. An answer this instance does not stream is read from the
   * shared log (Redis) and followed there. False when the answer is unknown or no longer kept.
   */
  async resume(member: RoomMember, answerId: string, offset: number, streamIndex: number): Promise<boolean> {
    const local = this.answers.find((a) => a.id === answerId);
    if (local) {
      if (!local.resumable) return false;
      this.replay(member, local, offset, streamIndex);
      // A newer answer of the session streaming now ends with its own idle.
      if (local.ended && !this.answering.busy) member.send(this.statusMessage('idle'));
      return true;
    }
    const logged = this.log.shared ? await this.log.read(this.key, answerId) : undefined;
    if (!logged || !this.members.has(member)) return false;
    const record = new AnswerRecord(answerId, this.config.maxLogChars);
    const position = new ClientPosition(offset);
    member.continueAt(streamIndex);
    for (const { message, feature } of logged.messages)
      this.relay(member, record, position, message as ConversationMessage, feature as Feature);
    if (logged.state === 'open') this.follow(member, record, position, logged.cursor, logged.upstream);
    else if (logged.state === 'handed_over') this.recover(member, answerId, position, logged.upstream);
    else if (!this.answering.busy) member.send(this.statusMessage('idle'));
    return true;
  }

  /**
   * The service stops, leaving the answer to Dify for a client to resume elsewhere (handOver): the
   * answer is cut here, without its interrupted final chunk, and its log says it was handed over.
   */
  handOver(): void {
    clearTimeout(this.graceTimer);
    const current = this.answering.current;
    this.answering.cancel(false);
    if (current && this.logging === current) {
      markSpan('hand_over', { 'realtime_rag.answer_id': current });
      this.log.handOver(this.key, current);
      this.leftToDify = true;
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
    this.idle();
    return true;
  }

  /** The service stops: the answer is stopped upstream, whoever follows it. */
  close(): void {
    clearTimeout(this.graceTimer);
    this.announcements?.unsubscribe();
    for (const follower of this.following.values()) follower.unsubscribe();
    this.answering.cancel(true);
    this.endLogged();
  }

  /**
   * A connection that joins the session mid-answer (naming it in a message other than resume) is
   * shown the answer from its start: its querying_rag status, the text so far, then (as any member)
   * the live chunks. Only an answer this instance streams: another instance's shows from its next answer.
   */
  catchUp(member: RoomMember): void {
    const record = this.answers.at(-1);
    const started = this.started;
    if (!record || record.ended || !record.resumable || started?.answer_id !== record.id) return;
    member.send(started);
    this.replay(member, record, 0);
  }

  private replay(member: RoomMember, record: AnswerRecord, offset: number, streamIndex?: number): void {
    const { chunk, closing } = record.rest(offset, member.features());
    if (streamIndex !== undefined) member.continueAt(streamIndex);
    if (chunk) member.send({ type: 'answer', ...chunk, final: false, answer_id: record.id, session_id: this.sessionId });
    for (const message of closing) member.send(message);
  }

  /**
   * Sends `member` what the instance streaming the answer writes to the log, until its end. If that
   * instance falls silent (it died), the rest comes from Dify, which generated on and saved it.
   */
  private follow(member: RoomMember, record: AnswerRecord, position: ClientPosition, cursor: string, upstream?: AnswerUpstream): void {
    const watching = setInterval(() => this.log.watch(this.key, record.id), WATCH_EVERY_MS);
    this.log.watch(this.key, record.id);
    let known = upstream;
    const subscription = this.log.follow(this.key, record.id, cursor, FOLLOW_IDLE_MS).subscribe({
      next: (entry) => {
        if ('upstream' in entry) return void (known = entry.upstream);
        this.relay(member, record, position, entry.message as ConversationMessage, entry.feature as Feature | undefined);
      },
      complete: () => this.followed(member),
      error: (error: unknown) =>
        error instanceof OwnerGoneError && !record.ended ? this.recover(member, record.id, position, known) : this.followed(member),
    });
    subscription.add(() => clearInterval(watching));
    if (!subscription.closed) this.following.set(member, subscription);
  }

  /** A message of an answer another instance logged, as much of it as the client lacks. */
  private relay(member: RoomMember, record: AnswerRecord, position: ClientPosition, message: ConversationMessage, feature?: Feature): void {
    record.record(message, feature);
    if (feature && !member.features().includes(feature)) return;
    if (message.type !== 'answer' || message.final) return member.send(message);
    const content = position.lacks(message.content, message.replace === true);
    if (content !== undefined) member.send({ ...message, content });
  }

  /**
   * The rest of an answer whose instance died or handed it over, from Dify's history once Dify saved
   * it (`length` when cut at MAX_ANSWER_CHARS); interrupted when Dify had not said where it keeps
   * the answer (no event yet) or fails to.
   */
  private recover(member: RoomMember, answerId: string, position: ClientPosition, upstream?: AnswerUpstream): void {
    const close = (reason: 'complete' | 'interrupted' | 'length') => {
      member.send({ type: 'answer', content: '', final: true, finish_reason: reason, answer_id: answerId, session_id: this.sessionId });
      this.followed(member);
    };
    if (!upstream) return close('interrupted');
    const recovery = this.savedAnswer(upstream).subscribe({
      next: ({ text, cut }) => {
        const rest = position.rest(text);
        if (rest) member.send({ type: 'answer', content: rest, final: false, answer_id: answerId, session_id: this.sessionId });
        close(cut ? 'length' : 'complete');
      },
      error: () => close('interrupted'),
    });
    this.following.set(member, recovery);
  }

  private followed(member: RoomMember): void {
    this.following.delete(member);
    member.send(this.statusMessage('idle'));
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
    if (this.answers.some((a) => a.id === answerId)) return;
    for (const member of this.members) {
      this.following.get(member)?.unsubscribe();
      this.follow(member, new AnswerRecord(answerId, this.config.maxLogChars), new ClientPosition(0), '0');
    }
  }

  // ---- AnsweringOutlet: what the room's Answering tells it ----

  begin(answerId: string): void {
    this.endLogged();
    this.logging = answerId;
    this.log.announce(this.key, answerId);
    this.answers.push(new AnswerRecord(answerId, this.config.maxLogChars));
    if (this.answers.length > KEPT_ANSWERS) this.answers.shift();
  }

  /** An answer taken back before any of it was sent: nothing to resume, and its log ends. */
  withdraw(answerId: string): void {
    if (this.answers.at(-1)?.id === answerId) this.answers.pop();
    if (this.logging === answerId) this.endLogged();
  }

  /** The answer being logged has no more to say. */
  private endLogged(): void {
    if (this.logging) this.log.end(this.key, this.logging);
    this.logging = undefined;
  }

  upstream(answerId: string, { conversationId, messageId, user }: AnswerStart): void {
    this.log.describe(this.key, answerId, { conversationId, messageId, user });
  }

  wants(feature: Feature): boolean {
    for (const member of this.members) if (member.features().includes(feature)) return true;
    return false;
  }

  fail(error: ProtocolError): void {
    this.send(error.toMessage(this.sessionId));
  }

  send(message: ConversationMessage, feature?: Feature): void {
    if (!LIVE_ONLY.has(message.type)) {
      const record = this.answers.at(-1);
      record?.record(message, feature);
      if (record && this.logging === record.id) this.log.append(this.key, record.id, { message, feature });
    }
    for (const member of this.members) if (!feature || member.features().includes(feature)) member.send(message);
  }

  status(stage: Stage, extra: Partial<StatusMessage> = {}): void {
    const message = this.statusMessage(stage, extra);
    if (stage === 'querying_rag') this.started = message;
    for (const member of this.members) member.send(message);
  }

  private statusMessage(stage: Stage, extra: Partial<StatusMessage> = {}): StatusMessage {
    return statusMessage(stage, this.sessionId, extra);
  }

  idle(): void {
    this.endLogged();
    for (const member of this.members) member.idle();
    if (this.vacant) this.onVacant(this);
  }
}
