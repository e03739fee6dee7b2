import type { IncomingMessage } from 'node:http';
import type { Authentication } from './principal';

/**
 * Decides who a WebSocket upgrade or an HTTP request comes from, once: the adapter's upgrade
 * check and AuthGuard call it, and carry the principal on the request (requestPrincipal). An
 * abstract class so it serves as the DI token. Async: a signed token may need the issuer's keys.
 */
export abstract class Authenticator {
  abstract authenticate(request: IncomingMessage): Promise<Authentication>;
}

/**
 * Whether a query parameter carries a client token: its decoded name is `token`, in any case
 * (`to%6Ben` and `TOKEN` too). The one definition: authentication reads such a parameter, and the
 * logs redact every one.
 */
export function isTokenParameter(decodedName: string): boolean {
  return decodedName.toLowerCase() === 'token';
}

/** The credential a client presents: `Authorization: Bearer …`, or `?token=…` for browsers, which cannot set headers. */
export function presentedToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  if (header?.toLowerCase().startsWith('bearer ')) return header.slice(7).trim();
  for (const [name, value] of new URL(request.url ?? '/', 'http://local').searchParams) {
    if (isTokenParameter(name)) return value;
  }
  return undefined;
}
