import type { IncomingMessage } from 'node:http';
import type { Principal } from './principal';

// Keyed by the request object itself: gone with it, and nothing a client sends can set it.
const principals = new WeakMap<IncomingMessage, Principal>();

/** Carries the principal an upgrade or HTTP request was authenticated as, to the code that serves it. */
export function setRequestPrincipal(request: IncomingMessage, principal: Principal): void {
  principals.set(request, principal);
}

/** The principal the request was authenticated as; a request that skipped authentication is a bug. */
export function requestPrincipal(request: IncomingMessage): Principal {
  const principal = principals.get(request);
  if (!principal) throw new Error('request served without authentication');
  return principal;
}
