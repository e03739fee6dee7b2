import { Stack, startStack } from './support/stack';
import { Message, WsTestClient } from './support/ws-test-client';

/**
 * The wiring of the opt-in features over real sockets. Their cases (ordering after the final chunk,
 * interrupted and failed answers, hello on and off, unknown names) are in conversation.spec.ts.
 */
describe('opt-in sources and usage (e2e)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  /** Asks one question and returns what followed the answer's final chunk, up to and including status{idle}. */
  async function afterAnswer(client: WsTestClient): Promise<Message[]> {
    const from = client.received.length;
    client.send({ type: 'asr_chunk', text: '什么是 RAG？', is_final: true });
    const idle = await client.waitFor((m) => m.type === 'status' && m.stage === 'idle', { from, timeoutMs: 10_000 });
    const final = client.received.findIndex((m, i) => i >= from && m.type === 'answer' && m.final === true);
    return client.received.slice(final + 1, client.received.indexOf(idle) + 1);
  }

  it('reach the socket when ?features= or hello asks for them, and are off by default (the original protocol)', async () => {
    const plain = await stack.connect();
    expect((await afterAnswer(plain)).map((m) => m.type)).toEqual(['status']);

    const byQuery = await WsTestClient.connect(`${stack.wsUrl}?features=sources,usage`);
    const [sources, usage, idle] = await afterAnswer(byQuery);
    const record = stack.dify.streams.at(-1)!;
    expect(sources).toMatchObject({ type: 'sources', message_id: record.messageId, conversation_id: record.conversationId });
    expect((sources.sources as unknown[]).length).toBeGreaterThan(0);
    expect(usage).toMatchObject({
      type: 'usage',
      message_id: record.messageId,
      finish_reason: 'complete',
      total_tokens: expect.any(Number),
    });
    expect(idle).toMatchObject({ type: 'status', stage: 'idle' });

    const byHello = await stack.connect();
    byHello.send({ type: 'hello', features: ['usage'] });
    expect(await byHello.waitFor((m) => m.type === 'ack' && m.received_type === 'hello')).toMatchObject({ features: ['usage'] });
    expect((await afterAnswer(byHello)).map((m) => m.type)).toEqual(['usage', 'status']);

    for (const client of [plain, byQuery, byHello]) client.close();
  });
});
