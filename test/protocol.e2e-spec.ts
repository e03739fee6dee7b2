import { Stack, startStack } from './support/stack';
import { Message, WsTestClient } from './support/ws-test-client';

const allChatCalls = (stack: Stack) => stack.dify.requests.filter((r) => r.path === '/v1/chat-messages').length;

describe('the WebSocket protocol (e2e)', () => {
  let stack: Stack;
  let client: WsTestClient;
  let callsBefore: number;
  /** Calls to Dify since this test began (the stack is shared by the suite). */
  const chatCalls = (stack: Stack) => allChatCalls(stack) - callsBefore;
  beforeAll(async () => {
    stack = await startStack({ env: { MAX_TEXT_CHARS: '200', MAX_FRAME_BYTES: '4096' } });
  });
  afterAll(() => stack.close());
  beforeEach(async () => {
    client = await stack.connect();
    await client.waitForCount(2);
    callsBefore = allChatCalls(stack);
  });
  afterEach(() => client.close());

  /** Sends one frame and returns the reply it got. */
  async function reply(frame: object | string | Buffer): Promise<Message> {
    const from = client.received.length;
    if (typeof frame === 'object' && !Buffer.isBuffer(frame)) client.sendUnchecked(frame);
    else client.sendRaw(frame);
    return client.waitFor(() => true, { from });
  }

  it('opens with ack{connected} and a server-made session id, then status{listening}', () => {
    const [ack, status] = client.received;
    expect(ack).toEqual({ type: 'ack', message: 'connected', session_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(status).toEqual({ type: 'status', stage: 'listening', session_id: ack.session_id });
  });

  it.each([
    ['not JSON', '{"type": "asr_chunk", ', 'INVALID_JSON'],
    ['a JSON array', '[1,2]', 'INVALID_MESSAGE'],
    ['a JSON string', '"hello"', 'INVALID_MESSAGE'],
    ['no type', { text: 'hi' }, 'INVALID_MESSAGE'],
    ['a numeric type', { type: 7 }, 'INVALID_MESSAGE'],
    ['an unknown type', { type: 'subscribe' }, 'UNSUPPORTED_TYPE'],
    ['asr_chunk without text', { type: 'asr_chunk', is_final: true }, 'INVALID_MESSAGE'],
    ['asr_chunk with numeric text', { type: 'asr_chunk', text: 42 }, 'INVALID_MESSAGE'],
    ['asr_chunk with a string is_final', { type: 'asr_chunk', text: 'hi', is_final: 'yes' }, 'INVALID_MESSAGE'],
    ['a session_id that is not a string', { type: 'keepalive', session_id: 12 }, 'INVALID_MESSAGE'],
    ['control without action', { type: 'control' }, 'INVALID_MESSAGE'],
    ['an unknown control action', { type: 'control', action: 'rewind' }, 'UNKNOWN_ACTION'],
    ['hello whose features are not a list of strings', { type: 'hello', features: 'sources' }, 'INVALID_MESSAGE'],
    ['text over MAX_TEXT_CHARS', { type: 'asr_chunk', text: 'x'.repeat(201), is_final: true }, 'TEXT_TOO_LONG'],
    ['a binary frame', Buffer.from([1, 2, 3]), 'INVALID_MESSAGE'],
    ['an empty final transcript', { type: 'asr_chunk', text: '  ', is_final: true }, 'EMPTY_QUESTION'],
    ['instant_query before any final text', { type: 'control', action: 'instant_query' }, 'NO_FINAL_ASR'],
  ])('answers %s with an error and keeps the socket open', async (_what, frame, code) => {
    const from = client.received.length;
    if (typeof frame === 'object' && !Buffer.isBuffer(frame)) client.sendUnchecked(frame);
    else client.sendRaw(frame);
    const got = await client.waitFor((m) => m.type === 'error', { from });
    expect(got).toMatchObject({ type: 'error', code, message: expect.any(String) });
    expect(String(got.message).length).toBeGreaterThan(10);
    expect(await reply({ type: 'keepalive' })).toMatchObject({ type: 'ack', received_type: 'keepalive' });
    expect(chatCalls(stack)).toBe(0);
  });

  it('names the bad field in the message', async () => {
    const error = await reply({ type: 'asr_chunk', text: 'hi', is_final: 'yes' });
    expect(error.message).toMatch(/is_final/);
  });

  it('closes with 1009 on a frame over MAX_FRAME_BYTES, and serves other clients on', async () => {
    const bystander = await stack.connect();
    client.sendRaw(JSON.stringify({ type: 'asr_chunk', text: 'x'.repeat(5000) }));
    expect((await client.waitForClose()).code).toBe(1009);
    bystander.send({ type: 'asr_chunk', text: 'What is RAG?', is_final: true });
    const { text } = await bystander.answer();
    expect(text.length).toBeGreaterThan(0);
    bystander.close();
  });

  it('ignores transcript while paused and answers again after resume', async () => {
    expect(await reply({ type: 'control', action: 'pause' })).toMatchObject({ type: 'ack', received_type: 'control' });
    await client.waitFor((m) => m.stage === 'paused');
    const from = client.received.length;
    client.send({ type: 'asr_chunk', text: 'What is RAG?', is_final: true });
    await client.waitFor((m) => m.type === 'status' && m.stage === 'paused', { from });
    expect(client.received[from]).toMatchObject({ type: 'ack', message: 'paused' });
    client.send({ type: 'control', action: 'resume' });
    await client.waitFor((m) => m.stage === 'listening', { from });
    expect(chatCalls(stack)).toBe(0);
    client.send({ type: 'asr_chunk', text: 'What is RAG?', is_final: true });
    await client.answer(from);
  });

  it('answers instant_query from the latest final text, without question detection', async () => {
    const from = client.received.length;
    client.send({ type: 'asr_chunk', text: '我们来聊聊年假政策', is_final: true });
    await client.waitFor((m) => m.stage === 'waiting_for_question', { from });
    client.send({ type: 'control', action: 'instant_query' });
    await client.waitFor((m) => m.stage === 'querying_rag' && m.mode === 'instant', { from });
    await client.answer(from);
    expect(stack.dify.streams.at(-1)!.query).toBe('我们来聊聊年假政策');
  });

  it('on stop right after the question, answers it, then says closed and closes the socket', async () => {
    client.send({ type: 'asr_chunk', text: '什么是 RAG？', is_final: true });
    client.send({ type: 'control', action: 'stop' });
    const { text } = await client.answer();
    expect(text.length).toBeGreaterThan(0);
    await client.waitFor((m) => m.type === 'status' && m.stage === 'closed');
    expect((await client.waitForClose()).code).toBe(1000);
    const stages = client.received.filter((m) => m.type === 'status').map((m) => m.stage);
    expect(stages.slice(-2)).toEqual(['idle', 'closed']);
  });
});
