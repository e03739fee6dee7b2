/**
 * Failures that pass: Dify's app rate limited or busy, Dify or Redis out of reach, this instance full
 * or stopping. An item that meets one is asked again later; only when its tries run out does it count
 * as failed. Anything else (a refused key, a bad question) fails it at once.
 */
const PASSING = new Set([
  'UPSTREAM_RATE_LIMITED',
  'SERVER_BUSY',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_STREAM_INTERRUPTED',
  'SESSION_STORE_UNAVAILABLE',
  'SHUTTING_DOWN',
]);

export function worthRetrying(errorCode: string | undefined): boolean {
  return errorCode !== undefined && PASSING.has(errorCode);
}

/** Exponential backoff: the base delay before the second try, doubled before each next one. */
export function retryDelay(baseMs: number, triesMade: number): number {
  return baseMs * 2 ** (triesMade - 1);
}
