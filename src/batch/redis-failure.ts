import { QueueUnavailableError } from './batch-queue';

/** Redis's replies that say it cannot do the work now (full, loading, read-only, refusing us): not a bug of ours. */
const UNAVAILABLE_REPLY = /^(OOM|LOADING|READONLY|MASTERDOWN|BUSY|NOAUTH|WRONGPASS|NOPERM|CLUSTERDOWN|MISCONF|TRYAGAIN|EXECABORT)\b/;
/** ioredis's own words for a connection that is not there. */
const NO_CONNECTION = /^(Connection is closed\.|Stream isn't writeable|Command timed out)/;

/**
 * Whether an error is Redis failing (down, not answering, full), as opposed to a bug: a malformed
 * command Redis refuses ("ERR value is not an integer") is ours to fix, not a reason to try later.
 */
export function isRedisFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ReplyError') return UNAVAILABLE_REPLY.test(error.message);
  if (error.name === 'MaxRetriesPerRequestError' || error.name === 'AbortError') return true;
  const code = (error as NodeJS.ErrnoException).code;
  return NO_CONNECTION.test(error.message) || (typeof code === 'string' && /^E[A-Z]+$/.test(code));
}

/** Redis failing is the queue unavailable (503, try later); any other error, a bug, stays what it is. */
export function unavailableIfRedis(error: unknown): unknown {
  return isRedisFailure(error) ? new QueueUnavailableError(error instanceof Error ? error.message : String(error)) : error;
}

export async function unavailableIfRedisFails<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw unavailableIfRedis(error);
  }
}
