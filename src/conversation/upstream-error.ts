import { DifyError } from '../dify';
import { ProtocolError } from '../protocol';
import { SessionStoreUnavailableError } from '../session';

/** What a client is told about Dify's known app-level error codes. Dify's own text never reaches it. */
const REJECTION_MESSAGES: Record<string, string> = {
  app_unavailable: 'The Dify app is unavailable: check that it is published and configured.',
  not_chat_app: 'The Dify API key belongs to an app that is not a chat app (Chatbot, Agent or Chatflow).',
  provider_not_initialize: 'The Dify app has no model provider credentials configured.',
  provider_quota_exceeded: "The Dify app's model quota is used up.",
  model_currently_not_support: "The Dify app's model is not available.",
  completion_request_error: "Dify's call to its language model failed; ask again.",
  invalid_param: 'Dify refused the request as invalid.',
  workflow_failed: 'The Dify workflow failed while answering.',
  workflow_paused: 'The Dify workflow paused for human input, which this service cannot give.',
};

/** Maps any error of a turn to the `error` message a client gets. */
export function toProtocolError(error: unknown): ProtocolError {
  if (error instanceof ProtocolError) return error;
  if (error instanceof SessionStoreUnavailableError) {
    return new ProtocolError('SESSION_STORE_UNAVAILABLE', 'The session store is unavailable; ask again shortly.', { retryable: true });
  }
  if (!(error instanceof DifyError)) {
    return new ProtocolError('SERVER_ERROR', 'An internal error stopped this answer; ask again.', { retryable: true });
  }
  const details = { retryable: error.retryable, upstream_status: error.status, upstream_code: error.code };
  switch (error.kind) {
    case 'unauthorized':
      return new ProtocolError(
        'UPSTREAM_UNAUTHORIZED',
        "Dify refused this service's API key: the operator must check DIFY_API_KEY.",
        details,
      );
    case 'not_found':
    case 'conversation_not_found':
      return new ProtocolError(
        'UPSTREAM_NOT_FOUND',
        'Dify answered 404 Not Found: the operator must check DIFY_BASE_URL (it usually ends with /v1).',
        details,
      );
    case 'rate_limited':
      return new ProtocolError('UPSTREAM_RATE_LIMITED', 'Dify is at its request limit; ask again in a moment.', details);
    case 'timeout':
      return new ProtocolError('UPSTREAM_TIMEOUT', 'Dify did not answer in time; ask again.', details);
    case 'unavailable':
      return new ProtocolError('UPSTREAM_UNAVAILABLE', 'Dify cannot be reached or is failing; ask again later.', details);
    case 'stream_interrupted':
      return new ProtocolError('UPSTREAM_STREAM_INTERRUPTED', "Dify's answer was cut off before it ended; ask again.", details);
    case 'event_too_large':
      return new ProtocolError(
        'UPSTREAM_EVENT_TOO_LARGE',
        'Dify sent one piece of this answer larger than the service accepts (DIFY_MAX_EVENT_CHARS), so the answer was stopped.',
        details,
      );
    case 'rejected':
      return new ProtocolError(
        'RAG_ERROR',
        REJECTION_MESSAGES[error.code ?? ''] ?? `Dify could not answer${error.code ? ` (${error.code})` : ''}.`,
        details,
      );
  }
}
