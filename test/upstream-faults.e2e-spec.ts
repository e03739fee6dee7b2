import { LocalDifyFault } from '../src/local-dify';
import { freePort } from './support/net';
import { waitUntil } from './support/wait-until';
import { Stack, startStack, TEST_API_KEY } from './support/stack';
import { WsTestClient } from './support/ws-test-client';

const QUESTION = { type: 'asr_chunk', text: 'What is RAG?', is_final: true };

/** Asks once and returns the error the client got, after checking the answer was closed and the session is idle. */
async function askExpectingError(client: WsTestClient) {
  const from = client.received.length;
  client.send(QUESTION);
  const error = await client.waitFor((m) => m.type === 'error', { from, timeoutMs: 8000 });
  await client.waitFor((m) => m.type === 'status' && m.stage === 'idle', { from });
  const answers = client.received.slice(from).filter((m) => m.type === 'answer');
  expect(answers.at(-1)).toMatchObject({ final: true, finish_reason: 'error' });
  return error;
}

/** The same session answers the next question: one failure never breaks it. */
async function stillAnswers(client: WsTestClient) {
  const from = client.received.length;
  client.send(QUESTION);
  const { text } = await client.answer(from);
  expect(text.length).toBeGreaterThan(0);
}

describe('upstream faults (e2e)', () => {
  let stack: Stack;
  let client: WsTestClient;
  beforeAll(async () => {
    // Retries off: each injected fault must reach the client (retries have their own test below).
    stack = await startStack({ env: { DIFY_TIMEOUT: '1', DIFY_RETRIES: '0' }, dify: { pingIntervalMs: 100 } });
  });
  afterAll(async () => {
    await stack.close();
    const everything = stack.logs.lines.join('\n');
    expect(everything).not.toContain(TEST_API_KEY);
  });
  beforeEach(async () => {
    client = await stack.connect();
  });
  afterEach(() => {
    for (const message of client.received) expect(JSON.stringify(message)).not.toContain(TEST_API_KEY);
    client.close();
  });

  // Each way of failing once (an error envelope, a proxy's page, late headers, a reset, a cut stream,
  // an in-stream error), and with the misconfigurations below each error code once. Which status and
  // code mean what is dify-error.spec's job; which kind becomes which code, upstream-error.spec's.
  it.each<[string, LocalDifyFault, object]>([
    [
      '429 too many requests',
      { kind: 'http', status: 429, code: 'too_many_requests', message: 'Too many requests' },
      { code: 'UPSTREAM_RATE_LIMITED', retryable: true },
    ],
    ["a proxy's HTML 502", { kind: 'http', status: 502, html: true }, { code: 'UPSTREAM_UNAVAILABLE', upstream_status: 502 }],
    ['headers later than DIFY_TIMEOUT', { kind: 'delay-headers', ms: 2500 }, { code: 'UPSTREAM_TIMEOUT', retryable: true }],
    ['a connection reset', { kind: 'destroy' }, { code: 'UPSTREAM_UNAVAILABLE', retryable: true }],
    ['a stream cut before message_end', { kind: 'cut', afterChunks: 3 }, { code: 'UPSTREAM_STREAM_INTERRUPTED', retryable: true }],
    [
      'an error event inside a 200 stream',
      {
        kind: 'error-event',
        afterChunks: 2,
        status: 400,
        code: 'completion_request_error',
        message: '[openai] Incorrect API key provided: sk-abc***',
      },
      { code: 'RAG_ERROR', upstream_code: 'completion_request_error' },
    ],
  ])('%s becomes a specific error and the session stays usable', async (_name, fault, expected) => {
    stack.dify.injectFault(fault);
    const error = await askExpectingError(client);
    expect(error).toMatchObject({ type: 'error', ...expected });
    expect(JSON.stringify(error)).not.toMatch(/sk-abc|Access token is invalid|<html/i);
    await stillAnswers(client);
  });

  it('asks Dify to stop a task it gave up on (timeout mid-stream)', async () => {
    stack.dify.injectFault({ kind: 'hang' });
    await askExpectingError(client);
    // A hang sends no task id, so there is nothing to stop; a slow stream after its first event does.
    stack.dify.options.chunkDelayMs = 2500;
    const error = await askExpectingError(client);
    expect(error.code).toBe('UPSTREAM_TIMEOUT');
    const record = stack.dify.streams.at(-1)!;
    await waitUntil(() => stack.dify.stopCalls.some((c) => c.taskId === record.taskId));
    stack.dify.options.chunkDelayMs = 2;
  });
});

describe('retrying Dify (e2e)', () => {
  it('answers without an error when Dify fails twice before the stream starts', async () => {
    const stack = await startStack({ env: { DIFY_RETRIES: '2', DIFY_RETRY_BASE_MS: '20' } });
    const client = await stack.connect();
    stack.dify.injectFault({ kind: 'http', status: 429, code: 'too_many_requests', message: 'Too many requests' });
    stack.dify.injectFault({ kind: 'http', status: 502, html: true });
    client.send(QUESTION);
    const { text, chunks } = await client.answer();
    expect(text).toBe(stack.dify.streams[0].answer);
    expect(chunks.at(-1)).toMatchObject({ finish_reason: 'complete' });
    expect(client.received.some((m) => m.type === 'error')).toBe(false);
    expect(stack.dify.requests.filter((r) => r.path === '/v1/chat-messages')).toHaveLength(3);
    client.close();
    await stack.close();
  });
});

describe('Dify unreachable or misconfigured (e2e)', () => {
  it('reports UPSTREAM_UNAVAILABLE when nothing listens at DIFY_BASE_URL', async () => {
    const port = await freePort();
    const stack = await startStack({ env: { DIFY_BASE_URL: `http://127.0.0.1:${port}/v1`, DIFY_RETRY_BASE_MS: '10' } });
    const client = await stack.connect();
    const error = await askExpectingError(client);
    expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
    client.close();
    await stack.close();
  });

  it('reports UPSTREAM_NOT_FOUND, pointing at /v1, when DIFY_BASE_URL lacks it', async () => {
    const stack = await startStack({ env: (difyBaseUrl) => ({ DIFY_BASE_URL: difyBaseUrl.replace(/\/v1$/, '') }) });
    const client = await stack.connect();
    const error = await askExpectingError(client);
    expect(error).toMatchObject({ code: 'UPSTREAM_NOT_FOUND', upstream_status: 404 });
    expect(error.message).toMatch(/DIFY_BASE_URL.*\/v1/);
    client.close();
    await stack.close();
  });

  it('reports UPSTREAM_UNAUTHORIZED for a wrong key, without ever showing the key', async () => {
    const stack = await startStack({ env: { DIFY_API_KEY: 'app-wrongKeyWrongKeyWrong1' } });
    const client = await stack.connect();
    const error = await askExpectingError(client);
    expect(error).toMatchObject({ code: 'UPSTREAM_UNAUTHORIZED', upstream_status: 401 });
    expect(JSON.stringify(client.received)).not.toContain('wrongKey');
    client.close();
    await stack.close();
    expect(stack.logs.lines.join('\n')).not.toContain('wrongKey');
  });
});
