/**
 * Why a Dify call failed, in terms a caller can act on:
 * - `unauthorized`: the key was refused (401/403);
 * - `not_found`: the URL is wrong (often a base URL without /v1);
 * - `conversation_not_found`: the stored conversation is gone or belongs to another user: start a new one;
 * - `rate_limited`: Dify's concurrency cap or quota (429, or 400 "Too many requests");
 * - `timeout`: no answer within DIFY_TIMEOUT;
 * - `unavailable`: connection refused, DNS, 5xx, a proxy's HTML error page;
 * - `stream_interrupted`: the stream ended before `message_end`;
 * - `event_too_large`: one stream event was longer than DIFY_MAX_EVENT_CHARS;
 * - `rejected`: Dify answered but refused or failed this request (app, model or provider errors).
 */
export type DifyErrorKind =
  | 'unauthorized'
  | 'not_found'
  | 'conversation_not_found'
  | 'rate_limited'
  | 'timeout'
  | 'unavailable'
  | 'stream_interrupted'
  | 'event_too_large'
  | 'rejected';

const RETRYABLE: ReadonlySet<DifyErrorKind> = new Set(['rate_limited', 'timeout', 'unavailable', 'stream_interrupted']);

export class DifyError extends Error {
  readonly retryable: boolean;

  constructor(
    readonly kind: DifyErrorKind,
    message: string,
    /** HTTP status (or the `status` of an in-stream error event), when Dify gave one. */
    readonly status?: number,
    /** Dify's own error `code`, e.g. `provider_quota_exceeded`. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'DifyError';
    this.retryable = RETRYABLE.has(kind);
  }

  /** Classifies Dify's error envelope `{code, message, status}` (an HTTP error or an in-stream `error` event). */
  static fromEnvelope(status: number, code: string | undefined, message: string | undefined): DifyError {
    // Dify's own message only classifies: it is kept out of logs and clients (it may quote provider keys).
    const text = message ?? '';
    const make = (kind: DifyErrorKind) => new DifyError(kind, `Dify answered ${status}${code ? ` ${code}` : ''}`, status, code);
    if (status === 401 || status === 403) return make('unauthorized');
    // Match on the prefix: Dify may append flask-restx's "You have requested this URI…" hint.
    if (status === 404 && text.startsWith('Conversation Not Exists')) return make('conversation_not_found');
    if (code === 'conversation_completed') return make('conversation_not_found');
    if (status === 404) return make('not_found');
    // Dify's own concurrency cap answers 400 invalid_param "Too many requests…" although its docs say 429.
    if (status === 429 || text.startsWith('Too many requests')) return make('rate_limited');
    if (status >= 500) return make('unavailable');
    return make('rejected');
  }
}
