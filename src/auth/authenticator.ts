import type { IncomingMessage } from 'node:http';

/**
 * Decides who a WebSocket upgrade request comes from. An abstract class so it serves as the DI
 * token: a JWT verifier can be provided beside (or instead of) the token list without touching the
 * gateway. `undefined` refuses the connection.
 */
export abstract class Authenticator {
  abstract authenticate(request: IncomingMessage): string | undefined;
}

/** The credential a client presents: `Authorization: Bearer …`, or `?token=…` for browsers, which cannot set headers. */
export function presentedToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  if (header?.toLowerCase().startsWith('bearer ')) return header.slice(7).trim();
  const query = new URL(request.url ?? '/', 'http://local').searchParams.get('token');
  return query ?? undefined;
}
