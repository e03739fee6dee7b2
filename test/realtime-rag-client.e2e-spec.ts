import WebSocket from 'ws';
import { AnswerUpdate, ConnectionChange, RealtimeRagClient, RealtimeRagClientOptions, Wire } from '../client/src/realtime-rag-client.ts';
import { assertInbound, assertOutbound } from './support/protocol-contract';
import { Stack, startStack } from './support/stack';
import { waitUntil } from './support/wait-until';
import { contractViolations } from './support/ws-test-client';

/** The `ws` package as the client's WebSocket, keeping each socket so a test can cut it. */
class KeptWebSocket extends WebSocket {
  static made: KeptWebSocket[] = [];
  constructor(url: string, protocols?: string[], options?: WebSocket.ClientOptions) {
    super(url, protocols, options);
    KeptWebSocket.made.push(this);
  }
}

/** The library on real sockets, what it told its user, and every frame either way checked against docs/asyncapi.yaml. */
function start(options: Omit<RealtimeRagClientOptions, 'WebSocket'>) {
  const client = new RealtimeRagClient({ ...options, WebSocket: KeptWebSocket });
  const states: ConnectionChange[] = [];
  const answers: AnswerUpdate[] = [];
  const sent: Wire.ClientMessage[] = [];
  const usage: Wire.Usage[] = [];
  const check = (assert: (message: unknown) => void, message: unknown) => {
    try {
      assert(message);
    } catch (error) {
      contractViolations.push((error as Error).message);
    }
  };
  client.on('connection', (change) => states.push(change));
  client.on('answer', (update) => answers.push(update));
  client.on('usage', (message) => usage.push(message));
  client.on('message', (message) => check(assertOutbound, message));
  client.on('sent', (message) => {
    check(assertInbound, message);
    sent.push(message);
  });
  /** The text its user saw, update by update. */
  const shown = () => answers.reduce((text, update) => (update.replaced ? update.delta : text + update.delta), '');
  return { client, states, answers, sent, usage, shown };
}

describe('the client library against the service (e2e)', () => {
  let stack: Stack;
  beforeEach(() => {
    KeptWebSocket.made = [];
  });
  afterEach(() => stack.close());

  it('reconnects after its socket is cut mid-answer, resumes, and its user sees the answer exactly once', async () => {
    // Slow enough to cut the socket mid-answer.
    stack = await startStack({ env: { RESUME_GRACE_SECONDS: '5' }, dify: { chunkDelayMs: 20, chunkChars: 3 } });
    const { client, states, answers, sent, usage, shown } = start({ url: stack.wsUrl, features: ['usage'] });
    await waitUntil(() => client.state === 'open');
    client.sendTranscript('什么是', false);
    client.sendTranscript('什么是 RAG？', true);
    await waitUntil(() => answers.length >= 3);
    KeptWebSocket.made[0].terminate();

    await waitUntil(() => answers.at(-1)?.final === true, 10_000);
    const answer = stack.dify.streams[0].answer;
    expect(shown()).toBe(answer);
    expect(answers.at(-1)).toMatchObject({ text: answer, question: '什么是 RAG？', finishReason: 'complete' });
    expect(states.map((change) => change.state)).toEqual(['open', 'reconnecting', 'open']);
    expect(states[1].ended).toEqual({ code: 1006, reason: '' });

    // The second connection's first message resumed the answer, in the session of the first.
    const resume = sent.find((message) => message.type === 'resume');
    expect(resume).toEqual({
      type: 'resume',
      answer_id: answers[0].answerId,
      offset: expect.any(Number),
      stream_index: expect.any(Number),
      session_id: client.sessionId,
    });
    expect(sent.indexOf(resume!)).toBe(2);
    expect((resume as Wire.Resume).offset).toBeGreaterThan(0);
    expect(stack.dify.streams).toHaveLength(1);
    await waitUntil(() => usage.length === 1);
    expect(usage[0].finish_reason).toBe('complete');
    client.close();
  });

  it('sends its token as a Bearer header when asked, and gives up at once on a refused one (HTTP 401)', async () => {
    stack = await startStack({ env: { AUTH_TOKENS: 'acme:acme-secret-token-1' } });
    const good = start({ url: stack.wsUrl, token: 'acme-secret-token-1', tokenIn: 'header' });
    await waitUntil(() => good.client.state === 'open');
    good.client.close();

    const refused = start({ url: stack.wsUrl, token: 'wrong-token-000' });
    await waitUntil(() => refused.client.state === 'closed');
    expect(refused.states).toEqual([
      {
        state: 'closed',
        ended: { code: 1006, reason: '', httpStatus: 401 },
        why: expect.stringMatching(/^unauthorized/),
        everOpened: false,
      },
    ]);
    expect(KeptWebSocket.made).toHaveLength(2);
  });

  it('fetches a fresh token from its token function (here POST /api/tokens) for every connection, reconnects included', async () => {
    stack = await startStack({
      env: { AUTH_TOKENS: 'backend:backend-secret-token-1', AUTH_JWT_SECRET: 'client-e2e-secret-of-at-least-32-bytes' },
    });
    const minted: string[] = [];
    const token = async () => {
      const response = await fetch(`${stack.httpUrl}/api/tokens`, {
        method: 'POST',
        headers: { Authorization: 'Bearer backend-secret-token-1', 'Content-Type': 'application/json' },
        body: JSON.stringify({ ttl_seconds: 60 }),
      });
      minted.push(((await response.json()) as { token: string }).token);
      return minted.at(-1)!;
    };
    const { client, answers } = start({ url: stack.wsUrl, token, tokenIn: 'header' });
    await waitUntil(() => client.state === 'open');
    KeptWebSocket.made[0].terminate();
    await waitUntil(() => KeptWebSocket.made.length === 2 && client.state === 'open');
    expect(minted).toHaveLength(2);
    expect(KeptWebSocket.made.length).toBe(2);
    client.sendTranscript('什么是 RAG？', true);
    await waitUntil(() => answers.some((update) => update.final));
    client.close();
  });
});
