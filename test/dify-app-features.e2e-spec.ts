import { Stack, startStack } from './support/stack';
import { Message, WsTestClient } from './support/ws-test-client';

const ask = (text: string) => ({ type: 'asr_chunk', text, is_final: true });

/** The Dify app's features on the socket, over real sockets, against the local Dify-compatible server. */
describe('the Dify app’s features on the socket (e2e)', () => {
  describe.each([
    [
      'a chatflow',
      'advanced-chat' as const,
      [
        { step: 'llm', name: 'LLM', state: 'started' },
        { step: 'llm', name: 'LLM', state: 'finished' },
      ],
    ],
    ['an agent', 'agent-chat' as const, [{ step: 'tool', name: 'dataset_retrieval', state: 'started' }]],
  ])('progress of %s', (_name, appMode, steps) => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({ dify: { appMode } });
    });
    afterAll(() => stack.close());

    it('reaches a connection that turned the feature on, among the answer’s chunks, and no other', async () => {
      const watching = await WsTestClient.connect(`${stack.wsUrl}?features=progress`);
      const plain = await stack.connect();
      for (const client of [watching, plain]) client.send(ask('什么是 RAG？'));
      const [{ chunks }] = await Promise.all([watching.answer(0, 10_000), plain.answer(0, 10_000)]);
      const progress = watching.received.filter((m) => m.type === 'progress');
      expect(progress).toEqual(
        steps.map((step) => ({ type: 'progress', answer_id: chunks[0].answer_id, ...step, session_id: expect.any(String) })),
      );
      expect(plain.received.some((m) => m.type === 'progress')).toBe(false);
      // The first step comes before the first text.
      expect(watching.received.indexOf(progress[0])).toBeLessThan(watching.received.indexOf(chunks[0]));
      watching.close();
      plain.close();
    });
  });

  describe('inputs and feedback', () => {
    let stack: Stack;
    let client: WsTestClient;
    beforeAll(async () => {
      stack = await startStack();
    });
    afterAll(() => stack.close());
    beforeEach(async () => {
      client = await stack.connect();
    });
    afterEach(() => client.close());

    it('refuses inputs the Dify app does not declare, naming the field, after the ack', async () => {
      client.send({ type: 'hello', features: [], inputs: { customer_tier: 'gold' } });
      await client.waitFor((m) => m.type === 'ack' && m.received_type === 'hello');
      expect(await client.waitFor((m) => m.type === 'error')).toMatchObject({
        code: 'INVALID_MESSAGE',
        message: expect.stringContaining('inputs.customer_tier'),
      });
    });

    it('says UNKNOWN_ANSWER to feedback on an answer the session does not have', async () => {
      client.send({ type: 'feedback', answer_id: 'not-an-answer', rating: 'like' });
      await client.waitFor((m) => m.type === 'ack' && m.received_type === 'feedback');
      expect(await client.waitFor((m: Message) => m.type === 'error')).toMatchObject({ code: 'UNKNOWN_ANSWER' });
    });

    it('refuses a rating that is not like, dislike or null', async () => {
      client.sendRaw(JSON.stringify({ type: 'feedback', answer_id: 'a', rating: 'meh' }));
      expect(await client.waitFor((m) => m.type === 'error')).toMatchObject({
        code: 'INVALID_MESSAGE',
        message: expect.stringContaining('rating'),
      });
    });
  });
});
