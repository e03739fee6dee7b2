import type { IncomingMessage } from 'node:http';
import type { AuthConfig } from '../config';

/**
 * Whether a WebSocket upgrade's Origin may open a socket: the defence against cross-site WebSocket
 * hijacking, where any page a user visits opens a socket to the service from the user's browser.
 * Browsers always send Origin on an upgrade and a page cannot change it. Allowed are: no Origin (not a
 * browser; AUTH_TOKENS governs those), then by ALLOWED_ORIGINS any (`*`) or exactly those listed; unset,
 * the service's own origin (its host is the request's Host, as for the demo page; the scheme is not
 * compared, since TLS may end at a proxy).
 */
export function isAllowedOrigin(origin: string | undefined, req: IncomingMessage, allowed: AuthConfig['allowedOrigins']): boolean {
  if (!origin || allowed === '*') return true;
  const normalized = origin.toLowerCase();
  if (allowed !== 'same-origin') return allowed.includes(normalized);
  const host = req.headers.host?.toLowerCase();
  return host !== undefined && URL.canParse(normalized) && new URL(normalized).host === host;
}
