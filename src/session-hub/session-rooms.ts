import { ResumeConfig } from '../config';
import { ShutdownState } from '../lifecycle';
import { FairLru, principalOf, sessionKey } from '../session';
import { AnswerLog } from './answer-log';
import { AnswerHistory, AnswerOutlet, RoomAnswering } from './room-ports';
import { SessionRoom } from './session-room';

/**
 * This instance's session rooms, by principal, app and session id. A room nobody is attached to and
 * that streams nothing is kept ANSWER_RETENTION_SECONDS (for a client that resumes its last answer),
 * at most ANSWER_LOG_MAX_SESSIONS of them (the longest vacant of the principal with the most go
 * first: one principal's many sessions never push out another's), then forgotten. Each room's
 * answering (`A`) is made by `answering`, given by the module that asks (conversation/).
 */
export class SessionRooms<A extends RoomAnswering = RoomAnswering> {
  private readonly rooms = new Map<string, SessionRoom<A>>();
  /** Vacant rooms in the order they became vacant, with their expiry timers. */
  private readonly vacant = new FairLru<NodeJS.Timeout>();
  private readonly onVacant = (room: SessionRoom<A>) => this.vacate(sessionKey(room.principal, room.app, room.sessionId));

  constructor(
    private readonly config: Pick<ResumeConfig, 'graceMs' | 'maxLogChars' | 'retentionMs' | 'maxIdleSessions'>,
    private readonly log: AnswerLog,
    private readonly history: AnswerHistory,
    private readonly answering: (outlet: AnswerOutlet) => A,
    private readonly shutdown: ShutdownState,
  ) {}

  /** The room of this session, made on first use. */
  room(principal: string, app: string, sessionId: string): SessionRoom<A> {
    const key = sessionKey(principal, app, sessionId);
    clearTimeout(this.vacant.get(key));
    this.vacant.delete(key);
    let room = this.rooms.get(key);
    if (!room) {
      room = new SessionRoom(principal, app, sessionId, this.answering, this.log, this.history, this.config, this.onVacant);
      this.rooms.set(key, room);
    }
    return room;
  }

  /**
   * At shutdown with a shared answer log (Redis): every answer streaming here is cut without being
   * stopped upstream, and marked handed over in the log, so its client resumes it on another
   * instance from the upstream's history. False without a shared log (nobody else could resume it:
   * closeAll stops it).
   */
  handOver(): boolean {
    if (!this.log.shared) return false;
    this.shutdown.handOver();
    for (const room of this.rooms.values()) room.handOver();
    return true;
  }

  /** At shutdown: every answer still streaming for nobody is stopped upstream. */
  closeAll(): void {
    for (const room of this.rooms.values()) room.close();
    for (const [, timer] of this.vacant) clearTimeout(timer);
    this.vacant.clear();
    this.rooms.clear();
  }

  private vacate(key: string): void {
    clearTimeout(this.vacant.get(key));
    this.vacant.delete(key);
    this.vacant.set(key, principalOf(key), setTimeout(() => this.forget(key), this.config.retentionMs).unref());
    for (const [oldest, timer] of this.vacant.evictBeyond(this.config.maxIdleSessions)) {
      clearTimeout(timer);
      this.forget(oldest);
    }
  }

  private forget(key: string): void {
    this.vacant.delete(key);
    if (this.rooms.get(key)?.vacant) this.rooms.delete(key);
  }
}
