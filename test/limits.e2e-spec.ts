import { upgradeStatus } from './support/net';
import { Stack, startStack } from './support/stack';
import { waitUntil } from './support/wait-until';
import { WsTestClient } from './support/ws-test-client';

/** Connects as soon as the server lets a socket in: it refuses with 429 until then. */
async function connectOnceLetIn(stack: Stack): Promise<WsTestClient> {
  let client: WsTestClient | undefined;
  await waitUntil(async () => {
    client = await stack.connect().catch((error: Error) => {
      if (!error.message.includes('429')) throw error;
      return undefined;
    });
    return client !== undefined;
  });
  return client!;
}

describe('limits (e2e)', () => {
  let stack: Stack;
  beforeAll(async () => {
    // The slowest refill there is (a token every 10 s): the exact counts below hold on a machine
    // however busy, where a flood of 30 can take seconds to be read.
    stack = await startStack({
      env: { RATE_LIMIT_PER_SECOND: '0.1', RATE_LIMIT_BURST: '10', MAX_CONNECTIONS_PER_IP: '3', MAX_CONCURRENT_ANSWERS: '1' },
      dify: { chunkDelayMs: 30, chunkChars: 6 },
    });
  });
  afterAll(() => stack.close());

  const keepalive = { type: 'keepalive' };
  const partial = { type: 'asr_chunk', text: '我们今天', is_final: false };
  // Every message type takes one token from the connection's one bucket (InboundDispatch).
  it.each([
    ['keepalives', () => keepalive],
    ['partials', () => partial],
    ['partials and keepalives', (i: number) => (i % 2 ? partial : keepalive)],
  ])('answers a flood of %s with RATE_LIMITED, closes it with 1008, and serves others on', async (_, message) => {
    const flooder = await stack.connect();
    const bystander = await stack.connect();
    await flooder.waitForCount(2);
    for (let i = 0; i < 30; i++) flooder.send(message(i));
    expect((await flooder.waitForClose()).code).toBe(1008);
    // Accepted messages are answered after validation, refused ones at once: count, not order.
    const replies = flooder.received.slice(2);
    expect(replies.filter((m) => m.type === 'ack')).toHaveLength(10);
    expect(replies.filter((m) => m.type === 'error' && m.code === 'RATE_LIMITED')).toHaveLength(10);
    expect(replies).toHaveLength(20);
    bystander.send({ type: 'keepalive' });
    await bystander.waitFor((m) => m.type === 'ack' && m.received_type === 'keepalive');
    bystander.close();
    await bystander.waitForClose();
  });

  it('refuses more than MAX_CONNECTIONS_PER_IP sockets from one address with HTTP 429', async () => {
    const open = await Promise.all([stack.connect(), stack.connect(), stack.connect()]);
    expect(await upgradeStatus(stack.wsUrl)).toBe(429);
    open[0].close();
    await open[0].waitForClose();
    // The server frees the place when it sees the close, a moment after the client does.
    const again = await connectOnceLetIn(stack);
    again.close();
    for (const client of open.slice(1)) client.close();
    await Promise.all([again, ...open.slice(1)].map((c) => c.waitForClose()));
  });

  it('says SERVER_BUSY beyond MAX_CONCURRENT_ANSWERS, and answers once there is room', async () => {
    const first: WsTestClient = await stack.connect();
    const second: WsTestClient = await stack.connect();
    first.send({ type: 'asr_chunk', text: '什么是 RAG？', is_final: true });
    await first.waitFor((m) => m.type === 'answer');
    second.send({ type: 'asr_chunk', text: 'What is Dify?', is_final: true });
    expect(await second.waitFor((m) => m.type === 'error')).toMatchObject({ code: 'SERVER_BUSY', retryable: true });
    await first.answer();
    const from = second.received.length;
    second.send({ type: 'asr_chunk', text: 'What is Dify?', is_final: true });
    const { text } = await second.answer(from);
    expect(text.length).toBeGreaterThan(0);
    first.close();
    second.close();
  });
});

describe('the per-address cap behind a proxy (e2e)', () => {
  let stack: Stack | undefined;
  afterEach(() => stack?.close());
  const from = (address: string) => ({ 'X-Forwarded-For': address });

  it('counts the client address in X-Forwarded-For when TRUST_PROXY_HOPS trusts the proxy', async () => {
    stack = await startStack({ env: { MAX_CONNECTIONS_PER_IP: '1', TRUST_PROXY_HOPS: '1' } });
    const alice = await WsTestClient.connect(stack.wsUrl, { headers: from('203.0.113.7') });
    expect(await upgradeStatus(stack.wsUrl, from('203.0.113.7'))).toBe(429);
    expect(await upgradeStatus(stack.wsUrl, from('198.51.100.1'))).toBe(101);
    alice.close();
    await alice.waitForClose();
  });

  it('ignores X-Forwarded-For by default: a client cannot choose its own address', async () => {
    stack = await startStack({ env: { MAX_CONNECTIONS_PER_IP: '1' } });
    const alice = await WsTestClient.connect(stack.wsUrl, { headers: from('203.0.113.7') });
    expect(await upgradeStatus(stack.wsUrl, from('198.51.100.1'))).toBe(429);
    alice.close();
    await alice.waitForClose();
  });
});
