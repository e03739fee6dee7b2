/**
 * Who a client is, decided once per connection or HTTP request (Authenticator). `id` keys its
 * sessions, tasks and quotas; a signed token may narrow it to one app and one session.
 */
export interface Principal {
  /** The AUTH_TOKENS principal, or a token's `sub`. */
  id: string;
  /** A token's `app` claim: the only app it may use. */
  app?: string;
  /** A token's `session_id` claim: the only session its connection may use. */
  sessionId?: string;
}

/** Until authentication is configured, every client is this principal. */
export const ANONYMOUS = 'anonymous';

/** The outcome of authenticating a request: who it is, or why not (a reason that never repeats the token). */
export type Authentication = { principal: Principal } | { refused: string };
