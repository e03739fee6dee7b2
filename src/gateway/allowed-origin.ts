import type { IncomingMessage } from 'node:http';
import type { AuthConfig } from '../config';

/**
 * Whether a WebSocket upgrade's Origin may open a socket: the defence against cross-site WebSocket
 * hijacking, where any page a user visits opens a socket to the service from the user's browser.
 * Browsers always send Origin on an upgrade and a page cannot change it, so allowed are: no Origin
 * (not a browser; AUTH_TOKENS governs those), the service's own origin (its host is the request's Host,
 * as for the demo page; the scheme is not compared, since TLS may end at a proxy), the origins of
 * ALLOWED_ORIGINS, or any with `*`.
 */
export function isAllowedOrigin(origin: string | undefined, req: IncomingMessage, allowed: AuthConfig['allowedOrigins']): boolean {
  if (!origin || allowed === '*') return true;
  const normalized = origin.toLowerCase();
  if (allowed.includes(normalized)) return true;
  const host = req.headers.host?.toLowerCase();
  return host !== undefined && URL.canParse(normalized) && new URL(normalized).host === host;
}
