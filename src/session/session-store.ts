import { KeyedSequence } from './keyed-sequence';

/** What outlives a connection: the Dify conversation a session continues, and what goes with it. */
export interface SessionRecord {
  conversationId?: string;
  /** The session's values for the Dify app's input variables (`hello{inputs}`). */
  inputs?: Record<string, unknown>;
  /** Dify's message id of each of the session's latest answers, by answer_id, oldest first (for feedback). */
  messages?: Record<string, string>;
}

/** The store could not be reached: the session cannot be looked up or saved right now. */
export class SessionStoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`Session store unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'SessionStoreUnavailableError';
  }
}

/**
 * Sessions keyed by principal and session id (see `sessionKey`), so one client can never continue
 * another's conversation. An abstract class so it serves as the DI token for its implementations.
 * `get` and `save` fail with `SessionStoreUnavailableError` when the store cannot be reached.
 */
export abstract class SessionStore {
  /** Which implementation this is (`memory`, `redis`), as readiness reports it. */
  abstract readonly kind: string;
  /** Each session's changes (update), one after the other. */
  private readonly updating = new KeyedSequence();
  abstract get(key: string): Promise<SessionRecord | undefined>;
  abstract save(key: string, record: SessionRecord): Promise<void>;

  /**
   * Saves the record as `change` makes it from the stored one. One session's changes on this
   * instance run one after the other (an answer's first event saves its conversation and its message
   * at once); across instances it is read, then written, not atomic: two instances changing one
   * session at the same moment may lose one change (the session lease keeps that rare).
   */
  update(key: string, change: (record: SessionRecord) => SessionRecord): Promise<void> {
    return this.updating.run(key, async () => this.save(key, change((await this.get(key)) ?? {})));
  }
  /** Why the store cannot serve now (readiness), or undefined when it can. Never throws; the caller bounds the wait. */
  abstract whyUnready(): Promise<string | undefined>;
}

export function sessionKey(principal: string, sessionId: string): string {
  return `${principal}\u0000${sessionId}`;
}

/** The principal of a `sessionKey`, for per-principal shares ('' for a key of no principal). */
export function principalOf(key: string): string {
  const end = key.indexOf('\u0000');
  return end < 0 ? '' : key.slice(0, end);
}

/** The Dify `user` of a session: stable across reconnects, distinct per principal. */
export function difyUser(principal: string, sessionId: string): string {
  return `${principal}:${sessionId}`;
}
