import { DifyError, DifyErrorKind } from '../dify';
import { wireErrors } from '../protocol';
import { SessionStoreUnavailableError } from '../session';
import { UpstreamError } from '../upstream';
import { AnswersAtCapacityError, NothingToAskError } from './turn-errors';
import { toWireError } from './error-mapping';

describe('toWireError', () => {
  it.each<[DifyErrorKind, number | undefined, string | undefined, string]>([
    ['unauthorized', 401, 'unauthorized', 'UPSTREAM_UNAUTHORIZED'],
    ['not_found', 404, 'not_found', 'UPSTREAM_NOT_FOUND'],
    ['conversation_not_found', 404, 'not_found', 'UPSTREAM_NOT_FOUND'],
    ['rate_limited', 429, 'too_many_requests', 'UPSTREAM_RATE_LIMITED'],
    ['timeout', undefined, undefined, 'UPSTREAM_TIMEOUT'],
    ['unavailable', 502, undefined, 'UPSTREAM_UNAVAILABLE'],
    ['stream_interrupted', undefined, undefined, 'UPSTREAM_STREAM_INTERRUPTED'],
    ['rejected', 400, 'provider_quota_exceeded', 'RAG_ERROR'],
  ])('maps %s to %s with the upstream status and code', (kind, status, code, expected) => {
    const error = toWireError(new DifyError(kind, 'internal text', status, code));
    expect(error.code).toBe(expected);
    expect(error.details).toEqual({ retryable: new DifyError(kind, '').retryable, upstream_status: status, upstream_code: code });
    expect(error.message).not.toContain('internal text');
  });

  it("explains Dify's known rejection codes in our words and names unknown ones", () => {
    expect(toWireError(new DifyError('rejected', 'x', 400, 'provider_quota_exceeded')).message).toMatch(/quota/);
    expect(toWireError(new DifyError('rejected', 'x', 400, 'something_new')).message).toBe('Dify could not answer (something_new).');
  });

  it("names another provider and the app's APPS entry, not Dify's settings, and never explains its codes as Dify's", () => {
    expect(toWireError(UpstreamError.fromStatus('ragflow', 401)).message).toBe(
      "RAGFlow refused this service's API key: the operator must check the app's api_key in APPS.",
    );
    expect(toWireError(UpstreamError.fromStatus('openai', 429)).message).toBe(
      'The OpenAI-compatible server is at its request limit; ask again in a moment.',
    );
    expect(toWireError(UpstreamError.of('fastgpt', 'rejected', 'failed')).message).toBe('FastGPT could not answer.');
    expect(toWireError(UpstreamError.fromStatus('dify', 401)).message).toContain('DIFY_API_KEY');
  });

  it('maps domain errors to their codes', () => {
    expect(toWireError(new NothingToAskError('empty-final'))).toMatchObject({ code: 'EMPTY_QUESTION' });
    expect(toWireError(new NothingToAskError('no-final-yet'))).toMatchObject({ code: 'NO_FINAL_ASR' });
    expect(toWireError(new AnswersAtCapacityError())).toMatchObject({ code: 'SERVER_BUSY', details: { retryable: true } });
    expect(toWireError(new SessionStoreUnavailableError(new Error('ECONNREFUSED')))).toMatchObject({ code: 'SESSION_STORE_UNAVAILABLE' });
  });

  it('passes wire errors through and hides anything else behind SERVER_ERROR', () => {
    const wireError = wireErrors.textTooLong(10);
    expect(toWireError(wireError)).toBe(wireError);
    const hidden = toWireError(new TypeError('cannot read x of undefined at /srv/secret/path.ts'));
    expect(hidden.code).toBe('SERVER_ERROR');
    expect(hidden.message).not.toMatch(/secret|undefined/);
  });
});
