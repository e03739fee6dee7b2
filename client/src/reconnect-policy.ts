/** How a socket ended, as the client saw it. */
export interface SocketEnding {
  /** The close code: 1006 when the connection failed or was cut without a closing handshake. */
  code: number;
  reason: string;
  /** The HTTP status of a refused upgrade, where the WebSocket tells it (Node's `ws` does; browsers never do). */
  httpStatus?: number;
}

export interface ReconnectOptions {
  /** The first retry waits up to this long; each failed attempt doubles the window. */
  baseMs: number;
  /** The window never grows past this. */
  capMs: number;
  /** Added to the wait when the server asked for less (close 1008 for a message flood, 1013 for a slow reader, HTTP 429). */
  slowDownMs: number;
}

export const DEFAULT_RECONNECT: ReconnectOptions = { baseMs: 500, capMs: 30_000, slowDownMs: 10_000 };

export type ReconnectPlan = { retry: true; delayMs: number } | { retry: false; why: string };

/** The rate-limit flood, and "reads too slowly": coming back at once would only repeat them. */
const SLOW_DOWN_CODES = [1008, 1013];

/**
 * Whether and when to reconnect after `ending`, the `attempt`-th failure in a row (0 for the first
 * since a connection last opened). Exponential backoff with full jitter (a random wait up to the
 * window, so a fleet of clients dropped at once by a deploy does not come back in the same instant),
 * capped. Never after a refused token or origin, which retrying cannot fix, nor after the server
 * closed the session (1000, after control{stop}).
 */
export function planReconnect(
  ending: SocketEnding,
  attempt: number,
  options: ReconnectOptions = DEFAULT_RECONNECT,
  random: () => number = Math.random,
): ReconnectPlan {
  const why = finalReason(ending);
  if (why) return { retry: false, why };
  const jitter = Math.floor(random() * Math.min(options.capMs, options.baseMs * 2 ** attempt));
  const slowDown = SLOW_DOWN_CODES.includes(ending.code) || ending.httpStatus === 429;
  return { retry: true, delayMs: slowDown ? options.slowDownMs + jitter : jitter };
}

function finalReason({ code, reason, httpStatus }: SocketEnding): string | undefined {
  // The gateway closes with 1008 "unauthorized" a socket whose principal it cannot name.
  if (httpStatus === 401 || (code === 1008 && reason === 'unauthorized')) return 'unauthorized: the server refused the token';
  if (httpStatus === 403) return 'forbidden: the server does not accept connections from this page';
  if (code === 1000) return 'the server closed the session';
  return undefined;
}
