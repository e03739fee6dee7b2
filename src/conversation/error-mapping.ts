import { DifyError } from '../dify';
import { ProtocolError, wireErrors } from '../protocol';
import { SessionStoreUnavailableError } from '../session';
import { SessionBusyError } from '../session-hub';
import { AnswersAtCapacityError, NothingToAskError } from './turn-errors';

/** An error for the log: its stack (a bug) or its message; anything thrown that is no Error, as JSON. */
export function describeError(error: unknown, part: 'stack' | 'message'): string {
  if (error instanceof Error) return (part === 'stack' ? error.stack : undefined) ?? error.message;
  return JSON.stringify(error) ?? String(error);
}

/**
 * The one mapping from any error to the `error` message a client gets (texts: protocol's
 * wireErrors). Errors of the wire pass through; domain and upstream errors become their code;
 * anything else is a bug, told as SERVER_ERROR with nothing of its own text.
 */
export function toWireError(error: unknown): ProtocolError {
  if (error instanceof ProtocolError) return error;
  if (error instanceof NothingToAskError) return error.why === 'empty-final' ? wireErrors.emptyQuestion() : wireErrors.noFinalAsr();
  if (error instanceof AnswersAtCapacityError || error instanceof SessionBusyError) return wireErrors.serverBusy();
  if (error instanceof SessionStoreUnavailableError) return wireErrors.sessionStoreUnavailable();
  if (!(error instanceof DifyError)) return wireErrors.serverError();
  const details = { retryable: error.retryable, upstream_status: error.status, upstream_code: error.code };
  switch (error.kind) {
    case 'unauthorized':
      return wireErrors.upstreamUnauthorized(details);
    case 'not_found':
    case 'conversation_not_found':
      return wireErrors.upstreamNotFound(details);
    case 'rate_limited':
      return wireErrors.upstreamRateLimited(details);
    case 'timeout':
      return wireErrors.upstreamTimeout(details);
    case 'unavailable':
      return wireErrors.upstreamUnavailable(details);
    case 'stream_interrupted':
      return wireErrors.upstreamStreamInterrupted(details);
    case 'event_too_large':
      return wireErrors.upstreamEventTooLarge(details);
    case 'rejected':
      return wireErrors.ragError(details);
  }
}
