import { RedisServer, redisServerInstalled } from './support/redis-server';
import { Stack, startStack } from './support/stack';
import { WsTestClient } from './support/ws-test-client';

// In CI a missing redis-server is a failure, never a silent skip: .ci/run installs it.
const withRedis = redisServerInstalled() || process.env.CI;

/** A paragraph without max_length: Dify's form alone puts no bound on it. */
const FORM = [{ paragraph: { label: 'Notes', variable: 'notes', required: false } }];
const MAX_INPUTS_BYTES = 16 * 1024;

/** What a hello's inputs may hold, over real sockets, with each session store. */
describe.each([['memory'], ...(withRedis ? [['redis']] : [])])('hello inputs with the %s session store (e2e)', (store) => {
  let redis: RedisServer | undefined;
  let stack: Stack;
  let client: WsTestClient;
  beforeAll(async () => {
    redis = store === 'redis' ? await RedisServer.start() : undefined;
    stack = await startStack({ dify: { inputForm: FORM }, env: redis ? { REDIS_URL: redis.url } : {} });
  });
  afterAll(async () => {
    await stack.close();
    await redis?.stop();
  });
  beforeEach(async () => {
    client = await stack.connect();
  });
  afterEach(() => client.close());

  const inputsOfLastQuestion = () =>
    stack.dify.requests.filter((r) => r.method === 'POST' && r.path === '/v1/chat-messages').at(-1)?.body as { inputs: object };
  const ask = async (session_id: string) => {
    const from = client.received.length;
    client.send({ type: 'asr_chunk', text: '什么是 RAG？', is_final: true, session_id });
    await client.answer(from);
    return inputsOfLastQuestion().inputs;
  };

  it('keeps inputs up to MAX_INPUTS_BYTES (16 KiB) and sends them to Dify', async () => {
    const notes = '知'.repeat(5000); // 15,000 bytes of UTF-8
    client.send({ type: 'hello', features: [], inputs: { notes }, session_id: 'inputs-at-the-limit' });
    expect(await ask('inputs-at-the-limit')).toEqual({ notes });
    expect(client.received.filter((m) => m.type === 'error')).toEqual([]);
  });

  it('refuses 60 KB of inputs the form would take, naming inputs and the limit, and keeps nothing of them', async () => {
    client.send({ type: 'hello', features: [], inputs: { notes: 'short' }, session_id: 'inputs-too-large' });
    expect(await ask('inputs-too-large')).toEqual({ notes: 'short' });
    const from = client.received.length;
    client.send({ type: 'hello', features: [], inputs: { notes: 'x'.repeat(60_000) }, session_id: 'inputs-too-large' });
    expect(await client.waitFor((m) => m.type === 'error', { from })).toMatchObject({
      code: 'INVALID_MESSAGE',
      message: `Invalid hello: inputs are 60012 bytes as JSON, more than the ${MAX_INPUTS_BYTES} a session may keep.`,
    });
    expect(await ask('inputs-too-large')).toEqual({ notes: 'short' });
  });

  it.each([
    ['{"constructor":{"prototype":{"polluted":true}}}', 'inputs.constructor'],
    ['{"__proto__":{"polluted":true}}', 'inputs.__proto__'],
    ['{"notes":"x","prototype":{"polluted":true}}', 'inputs.prototype'],
    ['{"notes":{"a":[{"constructor":{"prototype":{"polluted":true}}}]}}', 'inputs.notes.a[0].constructor'],
  ])('refuses %s by name, pollutes nothing, logs no error, and the socket goes on', async (inputs, path) => {
    const errorsLogged = stack.logs.lines.filter((line) => line.startsWith('error')).length;
    client.sendRaw(`{"type":"hello","features":[],"session_id":"reserved-keys","inputs":${inputs}}`);
    expect(await client.waitFor((m) => m.type === 'error')).toEqual({
      type: 'error',
      code: 'INVALID_MESSAGE',
      message: `Invalid message: ${path} is a reserved name: no key may be __proto__, constructor or prototype.`,
      session_id: expect.any(String),
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(stack.logs.lines.filter((line) => line.startsWith('error')).length).toBe(errorsLogged);
    const from = client.received.length;
    client.send({ type: 'keepalive' });
    await client.waitFor((m) => m.type === 'ack' && m.received_type === 'keepalive', { from });
    expect(await ask('reserved-keys')).toEqual({});
  });
});
