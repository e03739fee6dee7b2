import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitUntil } from './support/wait-until';
import { Stack, startStack } from './support/stack';
import { Message, WsTestClient } from './support/ws-test-client';

/**
 * The flows of the replaced Python service's own suites (tests/test_websocket_protocol.py and
 * tests/test_websocket_scenarios.py of fxp/realtime-rag) and of its scripts/ws_client.py, replayed
 * over real sockets against this service, once with STOP_MODE=reset (its last release's stop) and
 * once with the default (close, the protocol document's). Where the flows differ, each mode asserts
 * its own. docs/migrating.md says what differs and why.
 */

/** What the Python suites' own client accepts from a server (its _validate_server_message): anything else it drops. */
const PYTHON_STAGES = new Set([
  'listening',
  'paused',
  'waiting_for_question',
  'analyzing',
  'instant_query',
  'querying_rag',
  'interrupting',
  'idle',
  'closed',
]);
function pythonValid(message: Message): boolean {
  switch (message.type) {
    case 'ack':
      return true;
    case 'status':
      return PYTHON_STAGES.has(String(message.stage));
    case 'answer':
      return 'stream_index' in message && 'content' in message && 'final' in message;
    case 'error':
      return 'code' in message && 'message' in message;
    default:
      return false;
  }
}

/** `npm run client` (scripts/ws-client.ts) asking `question` with raw frames on stdout; rejects unless it exits 0. */
async function runClientCli(wsUrl: string, question: string): Promise<Message[]> {
  const root = join(__dirname, '..');
  // WS_TOKEN set (empty) wins over a developer's .env.
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['-r', 'ts-node/register', join(root, 'scripts', 'ws-client.ts'), '--url', wsUrl, '--json', question],
    {
      cwd: root,
      env: { ...process.env, WS_TOKEN: '' },
    },
  );
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Message);
}

/** Slow enough that an answer still streams when the test stops it (seconds at this pace); `fast` again after. */
function slowAnswers(stack: Stack, slow: boolean): void {
  stack.dify.options.chunkDelayMs = slow ? 50 : 2;
  stack.dify.options.chunkChars = slow ? 2 : 6;
}

const status = (stage: string) => (m: Message) => m.type === 'status' && m.stage === stage;
const final = (text: string) => ({ type: 'asr_chunk', text, is_final: true });

describe.each([['reset'], ['close']])('the Python service’s suites, replayed with STOP_MODE=%s (e2e)', (mode) => {
  let stack: Stack;
  let client: WsTestClient;
  beforeAll(async () => {
    stack = await startStack({ env: mode === 'reset' ? { STOP_MODE: 'reset' } : {} });
  });
  afterAll(() => stack.close());
  beforeEach(async () => {
    slowAnswers(stack, false);
    client = await stack.connect();
    await client.waitForCount(2);
  });
  afterEach(() => {
    // Every message the Python clients would have seen passes their own validation.
    expect(client.received.filter((m) => !pythonValid(m))).toEqual([]);
    client.close();
  });

  /** Sends `message` (unchecked: the Python suites send invalid ones too) and returns the index its replies start at. */
  function send(message: object): number {
    const from = client.received.length;
    client.sendUnchecked(message);
    return from;
  }

  /** A question's flow: analyzing (with the question), querying_rag, the answer to its final chunk, idle. */
  async function expectAnswered(from: number, question: string): Promise<string> {
    const analyzing = await client.waitFor(status('analyzing'), { from });
    expect(analyzing.question).toBe(question);
    const querying = await client.waitFor(status('querying_rag'), { from });
    const { text, chunks } = await client.answer(client.received.indexOf(querying));
    expect(chunks.map((c) => c.stream_index)).toEqual(chunks.map((_, i) => i));
    expect(text.length).toBeGreaterThan(0);
    await client.waitFor(status('idle'), { from: client.received.indexOf(chunks.at(-1)!) });
    return text;
  }

  it('connection lifecycle: ack{connected} with a session id, then status{listening}', () => {
    expect(client.received).toEqual([
      { type: 'ack', message: 'connected', session_id: expect.any(String) },
      { type: 'status', stage: 'listening', session_id: client.received[0].session_id },
    ]);
  });

  it('keepalive: acknowledged', async () => {
    const from = send({ type: 'keepalive' });
    expect(await client.waitFor(() => true, { from })).toMatchObject({ type: 'ack', received_type: 'keepalive' });
  });

  it('asr chunks: a partial is acknowledged with is_final false, a final with is_final true', async () => {
    let from = send({ type: 'asr_chunk', text: '什么是', is_final: false });
    expect(await client.waitFor(() => true, { from })).toMatchObject({ type: 'ack', received_type: 'asr_chunk', is_final: false });
    from = send(final('什么是人工智能？'));
    expect(await client.waitFor(() => true, { from })).toMatchObject({ type: 'ack', received_type: 'asr_chunk', is_final: true });
  });

  it('asr chunks with is_final as the ints Python clients send: 0 a partial, 1 a final that is answered', async () => {
    let from = send({ type: 'asr_chunk', text: '什么是', is_final: 0 });
    expect(await client.waitFor(() => true, { from })).toMatchObject({ type: 'ack', received_type: 'asr_chunk', is_final: false });
    from = send({ type: 'asr_chunk', text: '什么是机器学习？', is_final: 1 });
    expect(await client.waitFor(() => true, { from })).toMatchObject({ type: 'ack', received_type: 'asr_chunk', is_final: true });
    await expectAnswered(from, '什么是机器学习？');
    from = send({ type: 'asr_chunk', text: 'x', is_final: 2 });
    expect(await client.waitFor(() => true, { from })).toMatchObject({ type: 'error', code: 'INVALID_MESSAGE' });
  });

  it('question detection: analyzing with the question, querying_rag, the answer, idle', async () => {
    await expectAnswered(send(final('什么是机器学习？')), '什么是机器学习？');
  });

  it('a final that is no question: waiting_for_question, and no answer', async () => {
    const from = send(final('今天天气不错'));
    await client.waitFor(status('waiting_for_question'), { from });
    expect(client.received.slice(from).some((m) => m.type === 'answer' || status('analyzing')(m))).toBe(false);
  });

  it('pause and resume: a chunk while paused is acknowledged as paused and ignored', async () => {
    let from = send({ type: 'control', action: 'pause' });
    await client.waitFor(status('paused'), { from });
    from = send(final('什么是机器学习？'));
    expect(await client.waitFor(() => true, { from })).toMatchObject({ type: 'ack', received_type: 'asr_chunk', message: 'paused' });
    from = send({ type: 'control', action: 'resume' });
    await client.waitFor(status('listening'), { from });
    expect(client.received.some(status('analyzing'))).toBe(false);
  });

  it('instant_query: status instant_query, querying_rag with mode instant, the answer', async () => {
    // Not a question by the detector ("explain deep learning" is a request it does hear: the latest final is asked either way).
    send(final('解释一下深度学习'));
    const from = send({ type: 'control', action: 'instant_query' });
    const instant = await client.waitFor(status('instant_query'), { from });
    expect(instant).toMatchObject({ mode: 'instant', question: '解释一下深度学习' });
    const querying = await client.waitFor((m) => status('querying_rag')(m) && m.mode === 'instant', { from });
    const { chunks } = await client.answer(client.received.indexOf(querying));
    expect(chunks.length).toBeGreaterThan(0);
  });

  it('instant_query before any final text: error NO_FINAL_ASR', async () => {
    const from = send({ type: 'control', action: 'instant_query' });
    expect(await client.waitFor((m) => m.type === 'error', { from })).toMatchObject({ code: 'NO_FINAL_ASR' });
  });

  it('errors: invalid JSON, an unsupported type, an unknown control action; the socket stays open', async () => {
    let from = client.received.length;
    client.sendRaw('invalid json {');
    expect(await client.waitFor((m) => m.type === 'error', { from })).toMatchObject({ code: 'INVALID_JSON' });
    from = send({ type: 'unknown_type', data: 'test' });
    expect(await client.waitFor((m) => m.type === 'error', { from })).toMatchObject({ code: 'UNSUPPORTED_TYPE' });
    from = send({ type: 'control', action: 'unknown_action' });
    expect(await client.waitFor((m) => m.type === 'error', { from })).toMatchObject({ code: 'UNKNOWN_ACTION' });
    from = send({ type: 'keepalive' });
    await client.waitFor((m) => m.type === 'ack' && m.received_type === 'keepalive', { from });
  });

  it('a multi-turn conversation: two questions, each answered', async () => {
    await expectAnswered(send(final('什么是机器学习？')), '什么是机器学习？');
    await expectAnswered(send(final('深度学习和它有什么区别？')), '深度学习和它有什么区别？');
  });

  if (mode === 'reset') {
    it('control commands, then stop while idle: status{idle}, and the socket stays open for the next question', async () => {
      send({ type: 'control', action: 'pause' });
      send({ type: 'control', action: 'resume' });
      const from = send({ type: 'control', action: 'stop' });
      expect(await client.waitFor(status('idle'), { from })).toMatchObject({ note: 'stopped by the client' });
      expect(client.received.slice(from).some(status('closed'))).toBe(false);
      await expectAnswered(send(final('什么是机器学习？')), '什么是机器学习？');
      expect(client.closed).toBeUndefined();
    });

    it('stop mid-answer: the answer closes as interrupted and is stopped upstream, what was heard is forgotten, idle, and the next question is answered', async () => {
      slowAnswers(stack, true);
      send(final('什么是 RAG？'));
      await client.waitFor((m) => m.type === 'answer');
      const from = send({ type: 'control', action: 'stop' });
      const closing = await client.waitFor((m) => m.type === 'answer' && m.final === true, { from });
      expect(closing).toMatchObject({ content: '', finish_reason: 'interrupted' });
      await client.waitFor(status('idle'), { from: client.received.indexOf(closing) });
      const stream = stack.dify.streams.at(-1)!;
      await waitUntil(() => stream.generation !== 'running');
      expect(stream.generation).toBe('stopped');
      expect(stack.dify.stopCalls).toContainEqual({ taskId: stream.taskId, user: stream.user });
      // Forgotten: instant_query has nothing to ask.
      const after = send({ type: 'control', action: 'instant_query' });
      expect(await client.waitFor((m) => m.type === 'error', { from: after })).toMatchObject({ code: 'NO_FINAL_ASR' });
      slowAnswers(stack, false);
      await expectAnswered(send(final('什么是机器学习？')), '什么是机器学习？');
    });

    it('scripts/ws_client.py (a client of the early releases): its stop right after the question cancels the answer, and the socket stays open', async () => {
      slowAnswers(stack, true);
      const session = 'test-session-12345';
      for (const text of ['大家好，今天我们复盘一下发布进展。', '目前后台服务已经部署完成。', '请问接下来要怎么安排推送上线？'])
        send({ type: 'asr_chunk', text, is_final: true, session_id: session });
      await client.waitFor(status('querying_rag'));
      const from = send({ type: 'control', action: 'stop', session_id: session });
      await client.waitFor((m) => status('idle')(m) && m.note === 'stopped by the client', { from });
      expect(client.received.find((m) => m.type === 'answer' && m.final === true)).toMatchObject({ finish_reason: 'interrupted' });
      // ws_client.py reads until the server closes: with STOP_MODE=reset it waits on (see docs/migrating.md).
      const probe = send({ type: 'keepalive' });
      await client.waitFor((m) => m.type === 'ack' && m.received_type === 'keepalive', { from: probe });
      expect(client.closed).toBeUndefined();
    });

    it('npm run client asks, stops, and exits when the server says idle for the stop (the socket left open)', async () => {
      const frames = await runClientCli(stack.wsUrl, '什么是 RAG？');
      expect(frames.find((m) => m.type === 'answer' && m.final === true)).toMatchObject({ finish_reason: 'complete' });
      expect(frames.at(-1)).toMatchObject({ type: 'status', stage: 'idle', note: 'stopped by the client' });
    }, 60_000);
  } else {
    it('control commands, then stop while idle: status{closed}, and the server closes the socket (the Python suites wait for idle here)', async () => {
      send({ type: 'control', action: 'pause' });
      send({ type: 'control', action: 'resume' });
      const from = send({ type: 'control', action: 'stop' });
      expect(await client.waitFor(status('closed'), { from })).toMatchObject({ note: 'stopped by the client' });
      expect((await client.waitForClose()).code).toBe(1000);
      expect(client.received.slice(from).some(status('idle'))).toBe(false);
    });

    it('scripts/ws_client.py: three finals with its session id, stop right after; the answer finishes, then closed, then the socket closes', async () => {
      const session = 'test-session-12345';
      const from = client.received.length;
      for (const text of ['大家好，今天我们复盘一下发布进展。', '目前后台服务已经部署完成。', '请问接下来要怎么安排推送上线？'])
        send({ type: 'asr_chunk', text, is_final: true, session_id: session });
      send({ type: 'control', action: 'stop', session_id: session });
      await expectAnswered(from, '请问接下来要怎么安排推送上线？');
      const closed = await client.waitFor(status('closed'), { from });
      expect(closed).toMatchObject({ session_id: session });
      expect((await client.waitForClose()).code).toBe(1000);
      expect(client.received.filter((m) => m.type === 'answer').at(-1)).toMatchObject({ final: true, finish_reason: 'complete' });
    });

    it('npm run client asks, stops, and exits when the server closes the session', async () => {
      const frames = await runClientCli(stack.wsUrl, '什么是 RAG？');
      expect(frames.find((m) => m.type === 'answer' && m.final === true)).toMatchObject({ finish_reason: 'complete' });
      expect(frames.at(-1)).toMatchObject({ type: 'status', stage: 'closed', note: 'stopped by the client' });
    }, 60_000);
  }
});
