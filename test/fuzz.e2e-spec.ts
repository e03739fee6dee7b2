import fc from 'fast-check';
import { Stack, startStack } from './support/stack';
import { Message, WsTestClient } from './support/ws-test-client';

/** Errors that answer a frame itself (others, like EMPTY_QUESTION, follow an ack). */
const FRAME_ERRORS = new Set(['INVALID_JSON', 'INVALID_MESSAGE', 'UNSUPPORTED_TYPE', 'UNKNOWN_ACTION', 'TEXT_TOO_LONG', 'RATE_LIMITED']);
const isReply = (m: Message) => (m.type === 'ack' ? m.message !== 'connected' : m.type === 'error' && FRAME_ERRORS.has(String(m.code)));

const anything = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER, -0, null, true, false),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.object({ maxDepth: 3 }),
);
/** Shaped like a message, with every field possibly wrong; never control{stop}, which ends the session. */
const messageLike = fc
  .record(
    {
      type: fc.oneof(fc.constantFrom('asr_chunk', 'control', 'keepalive'), fc.string(), fc.integer()),
      text: fc.oneof(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.constantFrom('什么是 RAG？', 'What is RAG?', ''), anything),
      is_final: fc.oneof(fc.boolean(), anything),
      action: fc.oneof(fc.constantFrom('pause', 'resume', 'instant_query'), fc.string(), anything),
      session_id: fc.oneof(fc.string({ maxLength: 140 }), anything),
      timestamp: anything,
    },
    { requiredKeys: [] },
  )
  .filter((m) => m.action !== 'stop');
const deepNesting = fc.integer({ min: 1, max: 5000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`);
const frame = fc.oneof(
  messageLike.map((m) => JSON.stringify(m)),
  fc.json(),
  fc.string({ maxLength: 200 }),
  deepNesting,
  fc.uint8Array({ minLength: 1, maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
);

describe('fuzzing the WebSocket endpoint (e2e)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      env: { RATE_LIMIT_PER_SECOND: '10000', RATE_LIMIT_BURST: '100000' },
      dify: { chunkDelayMs: 0, firstChunkDelayMs: 0 },
    });
  });
  afterAll(() => stack.close());

  it('answers every frame exactly once and keeps serving other clients', async () => {
    const bystander = await stack.connect();
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 50, maxLength: 120 }), async (frames) => {
        const client = await stack.connect();
        await client.waitForCount(2);
        for (const f of frames) client.sendRaw(f);
        const replies = () => client.received.filter(isReply).length;
        await client.waitFor(() => replies() >= frames.length);
        // A marker answered after them all: a frame answered twice would have shown by then.
        client.send({ type: 'keepalive' });
        await client.waitFor(() => replies() > frames.length);
        expect(client.closed).toBeUndefined();
        expect(replies()).toBe(frames.length + 1);
        expect(client.received.filter(isReply).at(-1)).toMatchObject({ type: 'ack', received_type: 'keepalive' });
        client.close();
      }),
      { numRuns: 40 },
    );
    bystander.send({ type: 'asr_chunk', text: '什么是 RAG？', is_final: true });
    const { text } = await bystander.answer();
    expect(text.length).toBeGreaterThan(0);
    bystander.close();
  }, 120_000);

  it('closes a text frame of invalid UTF-8 with 1007, and serves others on', async () => {
    const client = await WsTestClient.connect(stack.wsUrl);
    // ws validates UTF-8 in text frames as RFC 6455 asks; send the raw frame through the socket.
    (client.socket as unknown as { _sender: { send: (d: Buffer, o: object, cb?: () => void) => void } })._sender.send(
      Buffer.from([0xc3, 0x28, 0xff]),
      { binary: false, fin: true, mask: true, rsv1: false, opcode: 1, readOnly: false },
    );
    expect((await client.waitForClose()).code).toBe(1007);
    const other = await stack.connect();
    other.send({ type: 'keepalive' });
    await other.waitFor((m) => m.type === 'ack' && m.received_type === 'keepalive');
    other.close();
  });
});
