import { DifyError, DifyErrorKind } from '../dify';
import { ProtocolError } from '../protocol';
import { toProtocolError } from './upstream-error';

describe('toProtocolError', () => {
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
    const error = toProtocolError(new DifyError(kind, 'internal text', status, code));
    expect(error.code).toBe(expected);
    expect(error.details).toEqual({ retryable: new DifyError(kind, '').retryable, upstream_status: status, upstream_code: code });
    expect(error.message).not.toContain('internal text');
  });

  it("explains Dify's known rejection codes in our words and names unknown ones", () => {
    expect(toProtocolError(new DifyError('rejected', 'x', 400, 'provider_quota_exceeded')).message).toMatch(/quota/);
    expect(toProtocolError(new DifyError('rejected', 'x', 400, 'something_new')).message).toBe(
      'Dify could not answer (something_new).',
    );
  });

  it('passes protocol errors through and hides anything else behind SERVER_ERROR', () => {
    const protocolError = new ProtocolError('EMPTY_QUESTION', 'empty');
    expect(toProtocolError(protocolError)).toBe(protocolError);
    const hidden = toProtocolError(new TypeError('cannot read x of undefined at /srv/secret/path.ts'));
    expect(hidden.code).toBe('SERVER_ERROR');
    expect(hidden.message).not.toMatch(/secret|undefined/);
  });
});
