import { Stack, startStack } from './support/stack';
import { Message, WsTestClient } from './support/ws-test-client';

const ask = (text: string) => ({ type: 'asr_chunk', text, is_final: true });

/** The message types after the answer's final chunk, up to and including status{idle}. */
async function afterAnswer(client: WsTestClient, from = 0): Promise<Message[]> {
  const idle = await client.waitFor((m) => m.type === 'status' && m.stage === 'idle', { from, timeoutMs: 10_000 });
  const final = client.received.findIndex((m, i) => i >= from && m.type === 'answer' && m.final === true);
  return client.received.slice(final + 1, client.received.indexOf(idle) + 1);
}

describe('opt-in sources and usage (e2e)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('are off by default: a client that asks for nothing sees the original protocol', async () => {
    const client = await stack.connect();
    client.send(ask('什么是 RAG？'));
    expect((await afterAnswer(client)).map((m) => m.type)).toEqual(['status']);
    client.close();
  });

  it('?features=sources,usage adds sources then usage after the final chunk, before idle', async () => {
    const client = await WsTestClient.connect(`${stack.wsUrl}?features=sources,usage`);
    client.send(ask('什么是 RAG？'));
    const [sources, usage, idle] = await afterAnswer(client);
    expect(idle).toMatchObject({ type: 'status', stage: 'idle' });
    const record = stack.dify.streams.at(-1)!;
    expect(sources).toMatchObject({ type: 'sources', message_id: record.messageId, conversation_id: record.conversationId });
    const list = sources.sources as Array<Record<string, unknown>>;
    expect(list.length).toBeGreaterThan(0);
    for (const source of list) {
      expect(source).toMatchObject({ position: expect.any(Number), document_name: expect.stringMatching(/\.md$/), score: expect.any(Number) });
      expect(Array.from(String(source.content)).length).toBeLessThanOrEqual(300);
    }
    expect(usage).toMatchObject({ type: 'usage', message_id: record.messageId, finish_reason: 'complete', total_tokens: expect.any(Number) });
    expect(usage.first_chunk_ms as number).toBeLessThanOrEqual(usage.duration_ms as number);
    client.close();
  });

  it('a hello message turns them on mid-connection and its ack lists what is on', async () => {
    const client = await stack.connect();
    client.send({ type: 'hello', features: ['sources', 'emotions'] });
    expect(await client.waitFor((m) => m.type === 'ack' && m.received_type === 'hello')).toMatchObject({ features: ['sources'] });
    client.send(ask('What is Dify?'));
    expect((await afterAnswer(client)).map((m) => m.type)).toEqual(['sources', 'status']);
    client.close();
  });

  it('an interrupted answer reports its usage (finish_reason interrupted) and no sources', async () => {
    stack.dify.options.chunkDelayMs = 40;
    const client = await WsTestClient.connect(`${stack.wsUrl}?features=sources,usage`);
    client.send(ask('什么是 RAG？'));
    await client.waitFor((m) => m.type === 'answer');
    const from = client.received.length;
    client.send(ask('What is Dify?'));
    const closing = await client.waitFor((m) => m.type === 'answer' && m.final === true, { from });
    expect(closing.finish_reason).toBe('interrupted');
    expect(client.received[client.received.indexOf(closing) + 1]).toMatchObject({ type: 'usage', finish_reason: 'interrupted' });
    stack.dify.options.chunkDelayMs = 2;
    const rest = await afterAnswer(client, client.received.indexOf(closing) + 1);
    expect(rest.map((m) => m.type)).toEqual(['sources', 'usage', 'status']);
    client.close();
  });

  it('answers a hello whose features are not a list of strings with INVALID_MESSAGE', async () => {
    const client = await stack.connect();
    client.sendUnchecked({ type: 'hello', features: 'sources' });
    expect(await client.waitFor((m) => m.type === 'error')).toMatchObject({ code: 'INVALID_MESSAGE' });
    client.close();
  });
});
