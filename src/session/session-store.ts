/**
 * What outlives a connection: the Dify conversation a session continues, and what goes with it (its
 * answers' Dify messages are kept beside it: `SessionStore.keepMessage`).
 */
export interface SessionRecord {
  conversationId?: string;
  /** The session's values for the Dify app's input variables (`hello{inputs}`). */
  inputs?: Record<string, unknown>;
  /** An `openai` app's memory (it keeps none): the session's last question/answer pairs, oldest first. */
  history?: RememberedTurn[];
}

/** A question and the answer given to it in full (a retracted or interrupted one is never remembered). */
export interface RememberedTurn {
  question: string;
  answer: string;
}

/** The store could not be reached: the session cannot be looked up or saved right now. */
export class SessionStoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`Session store unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'SessionStoreUnavailableError';
  }
}

/**
 * Sessions keyed by principal, app and session id (see `sessionKey`), so one client can never continue
 * another's conversation. An abstract class so it serves as the DI token for its implementations.
 * `get` and `save` fail with `SessionStoreUnavailableError` when the store cannot be reached. Only
 * SessionRecords writes (the one writer of the record).
 */
export abstract class SessionStore {
  /** Which implementation this is (`memory`, `redis`), as readiness reports it. */
  abstract readonly kind: string;
  abstract get(key: string): Promise<SessionRecord | undefined>;
  abstract save(key: string, record: SessionRecord): Promise<void>;
  /**
   * Keeps Dify's message of one of the session's answers (for its feedback) beside the record, not in
   * it: a session's question reads the record and no answer rewrites it. The latest `limit` are kept,
   * for as long as the record.
   */
  abstract keepMessage(key: string, answerId: string, messageId: string, limit: number): Promise<void>;
  /** Dify's message of one of the session's kept answers, or undefined. */
  abstract findMessage(key: string, answerId: string): Promise<string | undefined>;
  /** Why the store cannot serve now (readiness), or undefined when it can. Never throws; the caller bounds the wait. */
  abstract whyUnready(): Promise<string | undefined>;
}

/**
 * A session is (principal, app, session id): the same session id in two apps is two sessions, each
 * with its own conversation, inputs, answer log and lease.
 */
export function sessionKey(principal: string, app: string, sessionId: string): string {
  return `${principal}\u0000${app}\u0000${sessionId}`;
}

/** The principal of a `sessionKey`, for per-principal shares ('' for a key of no principal). */
export function principalOf(key: string): string {
  const end = key.indexOf('\u0000');
  return end < 0 ? '' : key.slice(0, end);
}

/** The session id of a `sessionKey` (the whole key for a key of no parts): ids have no control characters. */
export function sessionIdOf(key: string): string {
  return key.slice(key.lastIndexOf('\u0000') + 1);
}

/**
 * The Dify `user` of a session: stable across reconnects, distinct per principal. The app needs no
 * place in it: each app is its own Dify app, whose users and conversations are its own.
 */
export function difyUser(principal: string, sessionId: string): string {
  return `${principal}:${sessionId}`;
}
