import { Logger } from '@nestjs/common';
import { ProtocolError } from '../protocol';
import { RoomMember, SessionRoom } from '../session-hub';
import { Answering } from './answering';

/** This instance's session rooms (SessionRooms), each with its session's Answering. */
export interface Rooms {
  room(principal: string, app: string, sessionId: string): SessionRoom<Answering>;
}

const logger = new Logger('Conversation');

/**
 * Which session a connection continues, and its place in that session's room. The room is joined
 * when first needed (a question, a control, a resume, naming a session): an idle connection costs no
 * room. Until then another connection's answer in the server-made session is not shown here; nobody
 * else knows that session's id but this client.
 */
export class SessionMembership {
  private joined?: SessionRoom<Answering>;

  constructor(
    private readonly rooms: Rooms,
    private readonly principal: string,
    private chosenApp: string,
    private session: string,
    /** This connection as its room sees it. */
    private readonly member: RoomMember,
  ) {}

  get sessionId(): string {
    return this.session;
  }

  /** The app whose sessions the connection continues (its session is (principal, app, session id)). */
  get app(): string {
    return this.chosenApp;
  }

  /** From now on the connection's sessions are `app`'s: a session named already moves to that app's room at once. */
  useApp(app: string): void {
    this.chosenApp = app;
    if (!this.joined) return;
    this.leave();
    this.join();
  }

  /** The session's room, joined now if it was not. */
  get room(): SessionRoom<Answering> {
    return this.joined ?? this.join();
  }

  /** The room if joined already: asking does not join it. */
  get current(): SessionRoom<Answering> | undefined {
    return this.joined;
  }

  /**
   * A client may name its session in any message; from then on turns continue that session, in its
   * room. True when the connection joined another session's room.
   */
  adopt(sessionId: string | undefined): boolean {
    if (!sessionId || sessionId === this.session) return false;
    logger.log(`Connection of session ${this.session} continues session ${sessionId}`);
    this.session = sessionId;
    this.leave();
    // A session the client named is joined at once: its answers show here from now on.
    this.join();
    return true;
  }

  /** A connection that joined its session mid-answer is shown that answer from its start. */
  catchUp(): void {
    this.room.catchUp(this.member);
  }

  /** Sends the rest of answer `answerId` after the `offset` code points the client has; false when unknown. */
  resume(answerId: string, offset: number): Promise<boolean> {
    return this.room.resume(this.member, answerId, offset);
  }

  /** Leaves the room (`reason`: the service ends the connection). */
  leave(reason?: ProtocolError): void {
    this.joined?.leave(this.member, reason);
    this.joined = undefined;
  }

  private join(): SessionRoom<Answering> {
    this.joined = this.rooms.room(this.principal, this.chosenApp, this.session);
    this.joined.join(this.member);
    return this.joined;
  }
}
