import { Observable } from 'rxjs';

/** One message an answer's connections were sent, and the feature a connection needs to get it. */
export interface LoggedMessage {
  message: unknown;
  feature?: string;
}

/** An answer's log as it stands: its messages so far, whether it ended, and where a follower goes on. */
export interface AnswerLogReplay {
  messages: LoggedMessage[];
  ended: boolean;
  /** Where `follow` picks up. */
  cursor: string;
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
  /** Nothing more will be written to this answer. */
  abstract end(session: string, answerId: string): void;
  /** The answer's log, or undefined when it is unknown, expired, or another session's. */
  abstract read(session: string, answerId: string): Promise<AnswerLogReplay | undefined>;
  /** What is written after `cursor`, as it comes; completes at the end (or when nothing comes for `idleMs`). */
  abstract follow(session: string, answerId: string, cursor: string, idleMs: number): Observable<LoggedMessage>;
  /** Says that a client follows the answer from another instance, so its owner keeps it going. */
  abstract watch(session: string, answerId: string): void;
  /** Whether some instance follows the answer now. */
  abstract watched(session: string, answerId: string): Promise<boolean>;
}
