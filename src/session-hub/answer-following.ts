import { Subscription } from 'rxjs';
import { Feature } from '../protocol';
import { AnswerLog, AnswerLogReplay, AnswerUpstream, OwnerGoneError } from './answer-log';
import { AnswerRecord } from './answer-record';
import { ClientPosition } from './client-position';
import { AnswerHistory, RoomMember } from './room-ports';
import { finalChunk, SessionMessage, statusMessage } from './session-message';

/** A resumed answer whose log stays silent this long has lost its owner (an instance that died). */
const FOLLOW_IDLE_MS = 6000;
/** While a client follows an answer from another instance, its owner is told this often to keep it going. */
export const WATCH_EVERY_MS = 1000;

/**
 * A room's members that follow an answer another instance streams, through the shared log: what is
 * logged reaches them as it comes, and if that instance falls silent (it died) or handed the answer
 * over at shutdown, the rest comes from the upstream's history, which generated on and saved it.
 */
export class AnswerFollowing {
  private readonly following = new Map<RoomMember, Subscription>();

  constructor(
    private readonly key: string,
    private readonly app: string,
    private readonly sessionId: string,
    private readonly log: AnswerLog,
    private readonly history: AnswerHistory,
    private readonly maxLogChars: number,
  ) {}

  /**
   * Sends `member` what it lacks of a logged answer (it has `offset` code points), then follows it
   * while open, recovers it when handed over, or (`idleAfter`, no answer of the session streams
   * here) says status{idle} when it ended.
   */
  resume(member: RoomMember, answerId: string, offset: number, logged: AnswerLogReplay, idleAfter: boolean): void {
    const record = new AnswerRecord(answerId, this.maxLogChars);
    const position = new ClientPosition(offset);
    for (const { message, feature } of logged.messages) this.relay(member, record, position, message as SessionMessage, feature as Feature);
    if (logged.state === 'open') this.follow(member, record, position, logged.cursor, logged.upstream);
    else if (logged.state === 'handed_over') this.recover(member, answerId, position, logged.upstream);
    else if (idleAfter) member.receive(statusMessage('idle', this.sessionId));
  }

  /** Another instance started answer `answerId` of the session: `member` follows it from its start. */
  start(member: RoomMember, answerId: string): void {
    this.stop(member);
    this.follow(member, new AnswerRecord(answerId, this.maxLogChars), new ClientPosition(0), '0');
  }

  stop(member: RoomMember): void {
    this.following.get(member)?.unsubscribe();
    this.following.delete(member);
  }

  stopAll(): void {
    for (const follower of this.following.values()) follower.unsubscribe();
    this.following.clear();
  }

  private follow(member: RoomMember, record: AnswerRecord, position: ClientPosition, cursor: string, upstream?: AnswerUpstream): void {
    const watching = setInterval(() => this.log.watch(this.key, record.id), WATCH_EVERY_MS);
    this.log.watch(this.key, record.id);
    let known = upstream;
    const subscription = this.log.follow(this.key, record.id, cursor, FOLLOW_IDLE_MS).subscribe({
      next: (entry) => {
        if ('upstream' in entry) return void (known = entry.upstream);
        this.relay(member, record, position, entry.message as SessionMessage, entry.feature as Feature | undefined);
      },
      complete: () => this.followed(member),
      error: (error: unknown) =>
        error instanceof OwnerGoneError && !record.ended ? this.recover(member, record.id, position, known) : this.followed(member),
    });
    subscription.add(() => clearInterval(watching));
    if (!subscription.closed) this.following.set(member, subscription);
  }

  /** A message of an answer another instance logged, as much of it as the client lacks. */
  private relay(member: RoomMember, record: AnswerRecord, position: ClientPosition, message: SessionMessage, feature?: Feature): void {
    record.record(message, feature);
    if (feature && !member.features().includes(feature)) return;
    if (message.type !== 'answer' || message.final) return member.receive(message);
    const content = position.lacks(message.content, message.replace === true);
    if (content !== undefined) member.receive({ ...message, content });
  }

  /**
   * The rest of an answer whose instance died or handed it over, from the upstream's history once it
   * saved it (`length` when cut at MAX_ANSWER_CHARS); interrupted when the upstream had not said
   * where it keeps the answer (no event yet) or fails to.
   */
  private recover(member: RoomMember, answerId: string, position: ClientPosition, upstream?: AnswerUpstream): void {
    const close = (reason: 'complete' | 'interrupted' | 'length') => {
      member.receive(finalChunk(answerId, this.sessionId, reason));
      this.followed(member);
    };
    if (!upstream) return close('interrupted');
    const recovery = this.history.savedAnswer(this.app, upstream).subscribe({
      next: ({ text, cut }) => {
        const rest = position.rest(text);
        if (rest) member.receive({ type: 'answer', content: rest, final: false, answer_id: answerId, session_id: this.sessionId });
        close(cut ? 'length' : 'complete');
      },
      error: () => close('interrupted'),
    });
    this.following.set(member, recovery);
  }

  private followed(member: RoomMember): void {
    this.following.delete(member);
    member.receive(statusMessage('idle', this.sessionId));
  }
}
