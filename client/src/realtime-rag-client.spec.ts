import { assertInbound, assertOutbound } from '../../test/support/protocol-contract';
import type * as Wire from './protocol.types.ts';
import { AnswerUpdate, ConnectionChange, RealtimeRagClient, RealtimeRagClientOptions } from './realtime-rag-client.ts';
import type { SocketEvent, WebSocketLike } from './web-socket.ts';

/**
 * A WebSocket with the server's side in the test's hands. Every frame either way is checked against
 * docs/asyncapi.yaml, so what the client sends (its resume above all) is what the contract says.
 */
class FakeSocket implements WebSocketLike {
  static made: FakeSocket[] = [];
  readyState = 0;
  readonly sent: Wire.ClientMessage[] = [];
  closedWith?: { code?: number; reason?: string };
  private readonly listeners: Record<string, Array<(event: SocketEvent) => void>> = {};

  constructor(
    readonly url: string,
    readonly protocols?: string[],
    readonly options?: { headers: Record<string, string> },
  ) {
    FakeSocket.made.push(this);
  }

  addEventListener(type: string, listener: (event: SocketEvent) => void): void {
    (this.listeners[type] ??= []).push(listener);
  }

  send(data: string): void {
    const message = JSON.parse(data) as Wire.ClientMessage;
    assertInbound(message);
    this.sent.push(message);
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }

  /** The server accepts the connection: ack{connected} with the session it made. */
  greet(sessionId: string): void {
    this.readyState = 1;
    this.receive({ type: 'ack', message: 'connected', session_id: sessionId });
  }

  receive(message: Wire.ServerMessage): void {
    assertOutbound(message);
    this.emit('message', { data: JSON.stringify(message) });
  }

  /** The connection goes without a closing handshake (or with `code`). */
  drop(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.emit('close', { code, reason });
  }

  /** The upgrade is refused, as the `ws` package reports it. */
  refuse(status: number): void {
    this.emit('error', { message: `Unexpected server response: ${status}` });
    this.drop();
  }

  private emit(type: string, event: SocketEvent): void {
    for (const listener of this.listeners[type] ?? []) listener(event);
  }
}

const URL = 'ws://rag.test/ws/realtime-asr';
const SESSION = 'server-made-1';
const latest = () => FakeSocket.made.at(-1)!;

/** A client on a FakeSocket, and what it told its user. */
function start(options: Partial<RealtimeRagClientOptions> = {}) {
  const client = new RealtimeRagClient({ url: URL, WebSocket: FakeSocket, ...options });
  const states: ConnectionChange[] = [];
  const answers: AnswerUpdate[] = [];
  const errors: Wire.Error[] = [];
  client.on('connection', (change) => states.push(change));
  client.on('answer', (update) => answers.push(update));
  client.on('error', (error) => errors.push(error));
  /** What the user was shown of the answers, delta by delta. */
  const shown = () => answers.reduce((text, update) => (update.replaced ? update.delta : text + update.delta), '');
  return { client, states, answers, errors, shown };
}

const chunk = (stream_index: number, content: string, extra: Partial<Wire.Answer> = {}): Wire.Answer => ({
  type: 'answer',
  stream_index,
  content,
  final: false,
  answer_id: 'a-1',
  session_id: SESSION,
  ...extra,
});
const querying = (session_id = SESSION): Wire.Status => ({
  type: 'status',
  stage: 'querying_rag',
  question: '什么是 RAG？',
  answer_id: 'a-1',
  session_id,
});

describe('RealtimeRagClient', () => {
  beforeEach(() => {
    FakeSocket.made = [];
    jest.useFakeTimers();
    // Full jitter draws the middle of each window: 250 ms after the first drop, 500 ms after the next failure.
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('connects with the features and the token in the URL, and sends every message with the session the server made', () => {
    const { client, states } = start({ features: ['sources', 'usage'], token: 't0ken' });
    expect(client.state).toBe('connecting');
    expect(new globalThis.URL(latest().url).search).toBe('?features=sources%2Cusage&token=t0ken');
    latest().greet(SESSION);
    expect(states).toEqual([{ state: 'open', everOpened: true }]);
    client.sendTranscript('什么是', false);
    client.control('instant_query');
    expect(latest().sent).toEqual([
      { type: 'asr_chunk', text: '什么是', is_final: false, session_id: SESSION },
      { type: 'control', action: 'instant_query', session_id: SESSION },
    ]);
    expect(client.sessionId).toBe(SESSION);
  });

  it('puts the token in an Authorization header when asked (the ws package can)', () => {
    start({ token: 't0ken', tokenIn: 'header' });
    expect(latest().url).toBe(URL);
    expect(latest().options).toEqual({ headers: { Authorization: 'Bearer t0ken' } });
  });

  it('calls a token function before every connect and reconnect, and connects with what it returns', async () => {
    let issued = 0;
    const { client } = start({ token: () => Promise.resolve(`jwt-${++issued}`) });
    expect(FakeSocket.made).toEqual([]);
    await Promise.resolve();
    expect(new globalThis.URL(latest().url).searchParams.get('token')).toBe('jwt-1');
    latest().greet(SESSION);
    latest().drop();
    jest.advanceTimersByTime(250);
    await Promise.resolve();
    expect(FakeSocket.made.map((socket) => new globalThis.URL(socket.url).searchParams.get('token'))).toEqual(['jwt-1', 'jwt-2']);
    const sync = start({ token: () => 'plain', tokenIn: 'header' });
    expect(latest().options).toEqual({ headers: { Authorization: 'Bearer plain' } });
    client.close();
    sync.client.close();
  });

  it('retries with backoff when the token function fails, and opens nothing once closed', async () => {
    let calls = 0;
    const { client, states } = start({
      token: () => (++calls === 1 ? Promise.reject(new Error('backend down')) : Promise.resolve('jwt')),
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(FakeSocket.made).toEqual([]);
    expect(states).toEqual([
      { state: 'reconnecting', ended: { code: 1006, reason: 'the token function failed' }, retryInMs: 250, everOpened: false },
    ]);
    jest.advanceTimersByTime(250);
    client.close();
    await Promise.resolve();
    expect(FakeSocket.made).toEqual([]);
    expect(calls).toBe(2);
  });

  it('keeps what is sent before the greeting and sends it after, in order', () => {
    const { client } = start();
    expect(client.sendTranscript('年假有几天？', true)).toBe(true);
    expect(client.control('instant_query')).toBe(true);
    expect(latest().sent).toEqual([]);
    latest().greet(SESSION);
    expect(latest().sent).toEqual([
      { type: 'asr_chunk', text: '年假有几天？', is_final: true, session_id: SESSION },
      { type: 'control', action: 'instant_query', session_id: SESSION },
    ]);
  });

  it('joins the session it was given at once, with a keepalive naming it', () => {
    start({ sessionId: 'agent-7' });
    latest().greet(SESSION);
    expect(latest().sent).toEqual([{ type: 'keepalive', session_id: 'agent-7' }]);
  });

  it('reconnects after the planned wait, keeps its session, and continues it there', () => {
    const { client, states } = start();
    latest().greet(SESSION);
    latest().drop();
    expect(states.at(-1)).toEqual({ state: 'reconnecting', ended: { code: 1006, reason: '' }, retryInMs: 250, everOpened: true });
    jest.advanceTimersByTime(249);
    expect(FakeSocket.made).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(FakeSocket.made).toHaveLength(2);
    // The next attempt fails too: the window doubles.
    latest().drop();
    expect(states.at(-1)).toMatchObject({ state: 'reconnecting', retryInMs: 500 });
    jest.advanceTimersByTime(500);
    latest().greet('server-made-3');
    expect(states.map((s) => s.state)).toEqual(['open', 'reconnecting', 'reconnecting', 'open']);
    expect(latest().sent).toEqual([{ type: 'keepalive', session_id: SESSION }]);
    expect(client.sessionId).toBe(SESSION);
  });

  it('resumes an answer cut mid-stream before anything else it sends, and shows its text once, without gap or repeat', () => {
    const { client, answers, shown } = start();
    const first = latest();
    first.greet(SESSION);
    first.receive(querying());
    first.receive(chunk(0, 'RAG 是'));
    first.receive(chunk(1, '检索增强👍🏽'));
    first.drop();
    client.sendTranscript('它有什么优点？', true);
    jest.advanceTimersByTime(250);

    const second = latest();
    second.greet('server-made-2');
    expect(second.sent).toEqual([
      { type: 'resume', answer_id: 'a-1', offset: 11, stream_index: 2, session_id: SESSION },
      { type: 'asr_chunk', text: '它有什么优点？', is_final: true, session_id: SESSION },
    ]);
    second.receive({ type: 'ack', received_type: 'resume', session_id: SESSION });
    second.receive(chunk(2, '生成。'));
    second.receive(chunk(3, '', { final: true, finish_reason: 'complete' }));
    expect(shown()).toBe('RAG 是检索增强👍🏽生成。');
    expect(answers.at(-1)).toMatchObject({
      answerId: 'a-1',
      question: '什么是 RAG？',
      text: 'RAG 是检索增强👍🏽生成。',
      final: true,
      finishReason: 'complete',
    });
  });

  it('shows a replacement that happened while it was away as the whole answer', () => {
    const { answers, shown } = start();
    latest().greet(SESSION);
    latest().receive(querying());
    latest().receive(chunk(0, 'RAG 是一种'));
    latest().drop();
    jest.advanceTimersByTime(250);
    latest().greet('server-made-2');
    latest().receive(chunk(1, '抱歉，这个问题无法回答。', { replace: true }));
    expect(answers.at(-1)).toMatchObject({ replaced: true, text: '抱歉，这个问题无法回答。' });
    expect(shown()).toBe('抱歉，这个问题无法回答。');
  });

  it('ends the answer as lost when the server cannot resume it, and passes the error on', () => {
    const { answers, errors } = start();
    latest().greet(SESSION);
    latest().receive(querying());
    latest().receive(chunk(0, 'RAG'));
    latest().drop(1001, 'The service is shutting down');
    jest.advanceTimersByTime(250);
    latest().greet('server-made-2');
    latest().receive({ type: 'ack', received_type: 'resume', session_id: SESSION });
    latest().receive({
      type: 'error',
      code: 'RESUME_UNAVAILABLE',
      message: 'That answer is no longer available: ask again.',
      session_id: SESSION,
    });
    expect(answers.at(-1)).toMatchObject({ answerId: 'a-1', text: 'RAG', final: true, finishReason: 'lost' });
    expect(errors.map((e) => e.code)).toEqual(['RESUME_UNAVAILABLE']);
  });

  it('does not resume an answer that ended before the drop', () => {
    start();
    latest().greet(SESSION);
    latest().receive(querying());
    latest().receive(chunk(0, '', { final: true, finish_reason: 'interrupted' }));
    latest().drop(1001);
    jest.advanceTimersByTime(250);
    latest().greet('server-made-2');
    expect(latest().sent).toEqual([{ type: 'keepalive', session_id: SESSION }]);
  });

  it('says again after a reconnect the finals the server heard but had not settled, after the resume and before what waited', () => {
    const { client } = start();
    latest().greet(SESSION);
    client.sendTranscript('什么是 RAG？', true);
    latest().receive({ type: 'status', stage: 'waiting_for_question', session_id: SESSION });
    client.sendTranscript('请问年假', true);
    client.sendTranscript('有几天？', true);
    latest().drop();
    client.control('instant_query');
    jest.advanceTimersByTime(250);
    latest().greet('server-made-2');
    expect(latest().sent).toEqual([
      { type: 'keepalive', session_id: SESSION },
      { type: 'asr_chunk', text: '请问年假', is_final: true, session_id: SESSION },
      { type: 'asr_chunk', text: '有几天？', is_final: true, session_id: SESSION },
      { type: 'control', action: 'instant_query', session_id: SESSION },
    ]);
    // Once asked, they are settled: a later drop says nothing again.
    latest().receive({ ...querying(), answer_id: 'a-2' });
    latest().drop();
    jest.advanceTimersByTime(500);
    latest().greet('server-made-3');
    expect(latest().sent).toEqual([{ type: 'resume', answer_id: 'a-2', offset: 0, stream_index: 0, session_id: SESSION }]);
  });

  it('passes progress, suggested and audio on as events of their own', () => {
    const { client } = start({ features: ['progress', 'suggested', 'tts'] });
    const heard: Array<Wire.Progress | Wire.Suggested | Wire.Audio> = [];
    for (const event of ['progress', 'suggested', 'audio'] as const) client.on(event, (message) => heard.push(message));
    latest().greet(SESSION);
    const messages: Array<Wire.Progress | Wire.Suggested | Wire.Audio> = [
      { type: 'progress', answer_id: 'a-1', step: 'knowledge-retrieval', name: 'Handbook', state: 'started', session_id: SESSION },
      { type: 'audio', answer_id: 'a-1', audio: 'SUQz', format: 'mp3', final: false, session_id: SESSION },
      { type: 'suggested', answer_id: 'a-1', questions: ['病假怎么申请？'], session_id: SESSION },
    ];
    for (const message of messages) latest().receive(message);
    expect(heard).toEqual(messages);
  });

  it('sends feedback on an answer, a comment only when given, and keeps it while reconnecting', () => {
    const { client } = start();
    latest().greet(SESSION);
    client.feedback('a-1', 'like');
    client.feedback('a-1', 'dislike', 'The leave policy changed.');
    latest().drop();
    expect(client.feedback('a-1', null)).toBe(true);
    jest.advanceTimersByTime(250);
    const first = FakeSocket.made[0];
    expect(first.sent).toEqual([
      { type: 'feedback', answer_id: 'a-1', rating: 'like', session_id: SESSION },
      { type: 'feedback', answer_id: 'a-1', rating: 'dislike', content: 'The leave policy changed.', session_id: SESSION },
    ]);
    latest().greet('server-made-2');
    expect(latest().sent).toEqual([
      { type: 'keepalive', session_id: SESSION },
      { type: 'feedback', answer_id: 'a-1', rating: null, session_id: SESSION },
    ]);
  });

  it('sends its inputs in a hello with its features first on a connection, before what waited, and that hello names the session', () => {
    const { client } = start({ sessionId: 'call-42', features: ['progress', 'suggested'], inputs: { customer_tier: 'gold' } });
    client.sendTranscript('宽带多少钱？', true);
    latest().greet(SESSION);
    expect(latest().sent).toEqual([
      { type: 'hello', features: ['progress', 'suggested'], inputs: { customer_tier: 'gold' }, session_id: 'call-42' },
      { type: 'asr_chunk', text: '宽带多少钱？', is_final: true, session_id: 'call-42' },
    ]);
  });

  it('after a reconnect sends the resume first, then the hello with the inputs, then the finals said again', () => {
    const { client } = start({ inputs: { customer_tier: 'gold' } });
    latest().greet(SESSION);
    latest().receive(querying());
    latest().receive(chunk(0, 'RAG 是'));
    client.sendTranscript('它有什么优点？', true);
    latest().drop();
    jest.advanceTimersByTime(250);
    latest().greet('server-made-2');
    expect(latest().sent).toEqual([
      { type: 'resume', answer_id: 'a-1', offset: 5, stream_index: 1, session_id: SESSION },
      { type: 'hello', features: [], inputs: { customer_tier: 'gold' }, session_id: SESSION },
      { type: 'asr_chunk', text: '它有什么优点？', is_final: true, session_id: SESSION },
    ]);
  });

  it('sends new inputs at once when connected, and on the next connection when not', () => {
    const { client } = start({ features: ['sources'] });
    latest().greet(SESSION);
    expect(latest().sent).toEqual([]);
    client.setInputs({ product: '宽带' });
    expect(latest().sent).toEqual([{ type: 'hello', features: ['sources'], inputs: { product: '宽带' }, session_id: SESSION }]);
    latest().drop();
    client.setInputs({ product: '手机' });
    jest.advanceTimersByTime(250);
    latest().greet('server-made-2');
    expect(latest().sent).toEqual([{ type: 'hello', features: ['sources'], inputs: { product: '手机' }, session_id: SESSION }]);
    client.close();
    expect(client.setInputs({})).toBe(false);
  });

  it('sends new features at once in a hello without inputs when connected, and names them on the next connection', () => {
    const { client } = start({ features: ['sources'], inputs: { product: '宽带' } });
    latest().greet(SESSION);
    client.setFeatures(['sources', 'tts']);
    expect(latest().sent.at(-1)).toEqual({ type: 'hello', features: ['sources', 'tts'], session_id: SESSION });
    latest().drop();
    jest.advanceTimersByTime(250);
    expect(new globalThis.URL(latest().url).searchParams.get('features')).toBe('sources,tts');
    latest().greet('server-made-2');
    expect(latest().sent).toEqual([{ type: 'hello', features: ['sources', 'tts'], inputs: { product: '宽带' }, session_id: SESSION }]);
    client.close();
    expect(client.setFeatures([])).toBe(false);
  });

  it('keeps a bounded queue while reconnecting: past it sending says false', () => {
    const { client } = start({ maxQueued: 2 });
    latest().greet(SESSION);
    latest().drop();
    expect(client.sendTranscript('一', true)).toBe(true);
    expect(client.sendTranscript('二', true)).toBe(true);
    expect(client.sendTranscript('三', true)).toBe(false);
    jest.advanceTimersByTime(250);
    latest().greet('server-made-2');
    expect(latest().sent.map((m) => (m.type === 'asr_chunk' ? m.text : m.type))).toEqual(['keepalive', '一', '二']);
  });

  it('gives up on a refused token (HTTP 401) and says why', () => {
    const { client, states } = start({ token: 'wrong' });
    latest().refuse(401);
    expect(states).toEqual([
      {
        state: 'closed',
        ended: { code: 1006, reason: '', httpStatus: 401 },
        why: expect.stringMatching(/^unauthorized/),
        everOpened: false,
      },
    ]);
    jest.runAllTimers();
    expect(FakeSocket.made).toHaveLength(1);
    expect(client.sendTranscript('你好', true)).toBe(false);
  });

  it('does not reconnect after the server closed the session (control stop) or after close()', () => {
    const stopped = start();
    latest().greet(SESSION);
    stopped.client.control('stop');
    latest().drop(1000, 'session closed');
    expect(stopped.states.at(-1)).toMatchObject({ state: 'closed', why: 'the server closed the session' });

    const closed = start();
    const socket = latest();
    socket.greet(SESSION);
    socket.drop();
    closed.client.close();
    jest.runAllTimers();
    expect(FakeSocket.made).toHaveLength(2);
    expect(closed.states.map((s) => s.state)).toEqual(['open', 'reconnecting', 'closed']);
  });

  describe('stop, whichever the server’s STOP_MODE', () => {
    const stopped = (stage: 'closed' | 'idle'): Wire.Status => ({
      type: 'status',
      stage,
      note: 'stopped by the client',
      session_id: SESSION,
    });

    it('close: resolves closed at status{closed}, and does not reconnect however the socket then ends', async () => {
      const { client, states } = start();
      latest().greet(SESSION);
      const outcome = client.stop();
      expect(latest().sent.at(-1)).toEqual({ type: 'control', action: 'stop', session_id: SESSION });
      // An answer in flight finishes first: its idle is not the stop's.
      latest().receive({ type: 'status', stage: 'idle', session_id: SESSION });
      latest().receive(stopped('closed'));
      await expect(outcome).resolves.toBe('closed');
      latest().drop(1006);
      jest.runAllTimers();
      expect(FakeSocket.made).toHaveLength(1);
      expect(states.at(-1)).toMatchObject({ state: 'closed', why: 'the server closed the session' });
    });

    it('reset: resolves reset at the stop’s status{idle}, stays open and usable, and forgets the finals the server forgot', async () => {
      const { client, states } = start();
      latest().greet(SESSION);
      client.sendTranscript('请问年假', true);
      const outcome = client.stop();
      latest().receive(stopped('idle'));
      await expect(outcome).resolves.toBe('reset');
      expect(client.state).toBe('open');
      expect(client.sendTranscript('什么是 RAG？', true)).toBe(true);
      expect(latest().sent.at(-1)).toEqual({ type: 'asr_chunk', text: '什么是 RAG？', is_final: true, session_id: SESSION });
      // A drop now reconnects, and says again only what was said after the stop.
      latest().drop();
      jest.advanceTimersByTime(250);
      latest().greet('server-made-2');
      expect(latest().sent).toEqual([
        { type: 'keepalive', session_id: SESSION },
        { type: 'asr_chunk', text: '什么是 RAG？', is_final: true, session_id: SESSION },
      ]);
      expect(states.map((s) => s.state)).toEqual(['open', 'reconnecting', 'open']);
    });

    it('resolves closed when the connection ends for good before the server answers, and at once when already closed', async () => {
      const { client } = start();
      latest().greet(SESSION);
      const outcome = client.stop();
      latest().drop(1000, 'session closed');
      await expect(outcome).resolves.toBe('closed');
      await expect(client.stop()).resolves.toBe('closed');
    });
  });

  it('closes its socket with 1000 on close(), and hears nothing from it after', () => {
    const { client, states } = start();
    const socket = latest();
    socket.greet(SESSION);
    client.close();
    expect(socket.closedWith).toEqual({ code: 1000, reason: 'closed by the client' });
    socket.drop(1000);
    expect(states.map((s) => s.state)).toEqual(['open', 'closed']);
  });
});
