import { DifyError } from './dify-error';

describe('DifyError.fromEnvelope', () => {
  it.each([
    [401, 'unauthorized', 'Access token is invalid', 'unauthorized', false],
    [403, 'forbidden', "The app's API service has been disabled.", 'unauthorized', false],
    [404, 'not_found', 'Conversation Not Exists.', 'conversation_not_found', false],
    [
      404,
      'not_found',
      'Conversation Not Exists. You have requested this URI [/v1/chat-messages] but did you mean /v1/chat-messages ?',
      'conversation_not_found',
      false,
    ],
    [400, 'conversation_completed', 'The conversation has ended. Please start a new conversation.', 'conversation_not_found', false],
    [404, 'not_found', 'The requested URL was not found on the server.', 'not_found', false],
    [429, 'too_many_requests', 'Too many requests', 'rate_limited', true],
    [429, 'rate_limit_error', 'Rate Limit Error', 'rate_limited', true],
    [
      400,
      'invalid_param',
      'Too many requests. Please try again later. The current maximum concurrent requests allowed for app is 1.',
      'rate_limited',
      true,
    ],
    [500, 'internal_server_error', 'Internal Server Error', 'unavailable', true],
    [502, undefined, undefined, 'unavailable', true],
    [400, 'provider_quota_exceeded', 'Your quota …', 'rejected', false],
    [400, 'invalid_param', 'Arg user must be provided.', 'rejected', false],
  ])('%i %s "%s" is %s (retryable: %s)', (status, code, message, kind, retryable) => {
    const error = DifyError.fromEnvelope(status, code, message);
    expect(error.kind).toBe(kind);
    expect(error.retryable).toBe(retryable);
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
  });

  it("keeps Dify's own text out of the error, since it may quote a provider key", () => {
    const error = DifyError.fromEnvelope(400, 'completion_request_error', '[openai] Incorrect API key provided: sk-abc');
    expect(error.message).toBe('Dify answered 400 completion_request_error');
    expect(JSON.stringify(error)).not.toContain('sk-abc');
  });
});
