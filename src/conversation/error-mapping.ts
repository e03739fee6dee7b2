import { DifyError } from '../dify';
import { ProtocolError, UpstreamName, wireErrors } from '../protocol';
import { SessionStoreUnavailableError } from '../session';
import { SessionBusyError } from '../session-hub';
import { PROVIDER_LABEL, UpstreamError } from '../upstream';
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
  const who = upstreamName(error);
  switch (error.kind) {
    case 'unauthorized':
      return wireErrors.upstreamUnauthorized(details, who);
    case 'not_found':
    case 'conversation_not_found':
      return wireErrors.upstreamNotFound(details, who);
    case 'rate_limited':
      return wireErrors.upstreamRateLimited(details, who);
    case 'timeout':
      return wireErrors.upstreamTimeout(details, who);
    case 'unavailable':
      return wireErrors.upstreamUnavailable(details, who);
    case 'stream_interrupted':
      return wireErrors.upstreamStreamInterrupted(details, who);
    case 'event_too_large':
      return wireErrors.upstreamEventTooLarge(details, who);
    case 'rejected':
      return wireErrors.ragError(details, who);
  }
}

/** Another provider's failure names that provider and the app's APPS entry; Dify's (undefined) keeps its own texts. */
function upstreamName(error: DifyError): UpstreamName | undefined {
  if (!(error instanceof UpstreamError) || error.provider === 'dify') return undefined;
  return { name: PROVIDER_LABEL[error.provider], key: "the app's api_key in APPS", url: "the app's base_url in APPS" };
}
