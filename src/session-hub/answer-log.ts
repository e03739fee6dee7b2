import { Observable } from 'rxjs';

/** One message an answer's connections were sent, and the feature a connection needs to get it. */
export interface LoggedMessage {
  message: unknown;
  feature?: string;
}

/** Where Dify keeps an answer: enough for another instance to fetch it from Dify's history. */
export interface AnswerUpstream {
  conversationId: string;
  messageId: string;
  user: string;
}

/** What follows an answer's log: a message, or where Dify keeps the answer. */
export type LogEntry = LoggedMessage | { upstream: AnswerUpstream };

/** How an answer's log stands: `open` while its instance streams it, `handed_over` when that instance left it to Dify. */
export type LogState = 'open' | 'ended' | 'handed_over';

/** An answer's log as it stands: its messages so far, whether it ended, and where a follower goes on. */
export interface AnswerLogReplay {
  messages: LoggedMessage[];
  upstream?: AnswerUpstream;
  state: LogState;
  /** Where `follow` picks up. */
  cursor: string;
}

/**
 * The instance that streamed a followed answer is gone: nothing was written for a while (it died),
 * or it handed the answer over at shutdown. Dify generates on; the rest is in its history.
 */
export class OwnerGoneError extends Error {
  constructor() {
    super('The instance streaming the answer is gone');
    this.name = 'OwnerGoneError';
  }
}

/**
 * Answers as the instance that streams them writes them, readable by every instance: a client that
 * reconnects elsewhere resumes from here. Keyed by the session (principal and session id) and the
 * answer id, so nobody reads another session's answer. Bounded by the retention (each answer's log
 * expires) and a length cap. Writes never hold the answer up: they are fire-and-forget.
 */
export abstract class AnswerLog {
  /** Whether other instances can read what is written (false: only this instance's rooms know an answer). */
  abstract readonly shared: boolean;
  abstract append(session: string, answerId: string, entry: LoggedMessage): void;
  /** Where Dify keeps the answer, once its first event said. */
  abstract describe(session: string, answerId: string, upstream: AnswerUpstream): void;
  /** Nothing more will be written to this answer. */
  abstract end(session: string, answerId: string): void;
  /** This instance leaves the answer to Dify (at shutdown): a follower fetches the rest from Dify's history. */
  abstract handOver(session: string, answerId: string): void;
  /** The answer's log, or undefined when it is unknown, expired, or another session's. */
  abstract read(session: string, answerId: string): Promise<AnswerLogReplay | undefined>;
  /**
   * What is written after `cursor`, as it comes; completes at the end. Fails with `OwnerGoneError`
   * when the answer is handed over, or nothing comes for `idleMs` (the instance that streams it died).
   */
  abstract follow(session: string, answerId: string, cursor: string, idleMs: number): Observable<LogEntry>;
  /** Says that a client follows the answer from another instance, so its owner keeps it going. */
  abstract watch(session: string, answerId: string): void;
  /** Whether some instance follows the answer now. */
  abstract watched(session: string, answerId: string): Promise<boolean>;
  /** Tells every instance that the session has a new answer (for its connections there). */
  abstract announce(session: string, answerId: string): void;
  /** The session's new answers, as any instance announces them, while subscribed. */
  abstract announcements(session: string): Observable<string>;
  /**
   * Until when a connection that joins the session's room now must wait to hear its announcements
   * (they are on their way to being subscribed), or undefined when nothing is to wait for.
   */
  untilHeard(_session: string): Promise<void> | undefined {
    return undefined;
  }
  /** Why this instance would miss answers of other instances now (for readiness), or undefined. */
  whyUnready(): string | undefined {
    return undefined;
  }
}
