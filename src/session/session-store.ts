/** What outlives a connection: the Dify conversation a session continues. */
export interface SessionRecord {
  conversationId?: string;
}

/**
 * Sessions keyed by principal and session id (see `sessionKey`), so one client can never continue
 * another's conversation. An abstract class so it serves as the DI token for its implementations.
 */
export abstract class SessionStore {
  abstract get(key: string): Promise<SessionRecord | undefined>;
  abstract save(key: string, record: SessionRecord): Promise<void>;
}

export function sessionKey(principal: string, sessionId: string): string {
  return `${principal}\u0000${sessionId}`;
}

/** The Dify `user` of a session: stable across reconnects, distinct per principal. */
export function difyUser(principal: string, sessionId: string): string {
  return `${principal}:${sessionId}`;
}
