import { Stack, startStack } from './support/stack';
import { waitUntil } from './support/wait-until';
import { Message, WsTestClient } from './support/ws-test-client';

const ask = (text: string) => ({ type: 'asr_chunk', text, is_final: true });

/** The Dify app's features on the socket, over real sockets, against the local Dify-compatible server. */
describe('the Dify app’s features on the socket (e2e)', () => {
  describe.each([
    [
      'a chatflow',
      'advanced-chat' as const,
      [
        { step: 'knowledge-retrieval', name: 'Knowledge Retrieval', state: 'started' },
        { step: 'knowledge-retrieval', name: 'Knowledge Retrieval', state: 'finished' },
        { step: 'llm', name: 'LLM', state: 'started' },
        { step: 'llm', name: 'LLM', state: 'finished' },
      ],
    ],
    [
      'an agent',
      'agent-chat' as const,
      [
        { step: 'tool', name: 'dataset_retrieval', state: 'started' },
        { step: 'tool', name: 'dataset_retrieval', state: 'finished' },
      ],
    ],
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
      const [{ chunks }] = await Promise.all([watching.answer(), plain.answer()]);
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

  describe('with an app that has an input form, follow-ups and speech', () => {
    const FORM = [
      { 'text-input': { label: 'Customer', variable: 'customer', required: true, max_length: 20, default: '' } },
      { select: { label: 'Tier', variable: 'tier', required: false, options: ['gold', 'silver'], default: '' } },
    ];
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({ dify: { inputForm: FORM, tts: true } });
    });
    afterAll(() => stack.close());
    const chatBodies = () =>
      stack.dify.requests.filter((r) => r.method === 'POST' && r.path === '/v1/chat-messages').map((r) => r.body as { inputs: object });

    it('sends a session’s inputs with every question, over DIFY_INPUTS, after a reconnect too, and refuses a bad one by name', async () => {
      const first = await stack.connect();
      first.send({ type: 'hello', features: [], inputs: { customer: '张三', tier: 'gold' }, session_id: 'with-inputs' });
      // Asked right after the hello: it waits for the inputs to be checked and kept.
      first.send({ type: 'asr_chunk', text: '什么是 RAG？', is_final: true, session_id: 'with-inputs' });
      await first.answer();
      expect(chatBodies().at(-1)!.inputs).toEqual({ customer: '张三', tier: 'gold' });

      first.send({ type: 'hello', features: [], inputs: { customer: '张三', tier: 'bronze' } });
      expect(await first.waitFor((m) => m.type === 'error')).toMatchObject({
        code: 'INVALID_MESSAGE',
        message: 'Invalid hello: inputs.tier must be one of: gold, silver.',
      });
      first.close();

      const again = await stack.connect();
      again.send({ type: 'asr_chunk', text: 'What is Dify?', is_final: true, session_id: 'with-inputs' });
      await again.answer();
      expect(chatBodies().at(-1)!.inputs).toEqual({ customer: '张三', tier: 'gold' });
      again.close();
    });

    it('forwards feedback for the answer’s Dify message as the session’s user, and takes it back with null', async () => {
      const client = await stack.connect();
      client.send({ type: 'asr_chunk', text: '年假有几天？', is_final: true, session_id: 'rating' });
      const { chunks } = await client.answer();
      const record = stack.dify.streams.at(-1)!;
      for (const rating of ['like', null]) {
        const from = client.received.length;
        client.send({ type: 'feedback', answer_id: chunks[0].answer_id, rating, content: 'thanks', session_id: 'rating' });
        await client.waitFor((m) => m.type === 'ack' && m.received_type === 'feedback', { from });
        await waitUntil(
          () => stack.dify.requests.filter((r) => r.path === `/v1/messages/${record.messageId}/feedbacks`).length === (rating ? 1 : 2),
        );
      }
      const sent = stack.dify.requests.filter((r) => r.path === `/v1/messages/${record.messageId}/feedbacks`).map((r) => r.body);
      expect(sent).toEqual([
        { rating: 'like', user: record.user, content: 'thanks' },
        { rating: null, user: record.user, content: 'thanks' },
      ]);
      // An error for either would come before the answer to a question asked after Dify took both.
      const from = client.received.length;
      client.send({ type: 'asr_chunk', text: 'What is Dify?', is_final: true, session_id: 'rating' });
      await client.answer(from);
      expect(client.received.some((m) => m.type === 'error')).toBe(false);
      client.close();
    });

    it('sends follow-up questions and the spoken answer only to a connection that asked for them', async () => {
      const wants = await WsTestClient.connect(`${stack.wsUrl}?features=suggested,tts`);
      const plain = await stack.connect();
      const suggestedCalls = () => stack.dify.requests.filter((r) => r.path.endsWith('/suggested')).map((r) => r.path);
      plain.send({ type: 'asr_chunk', text: '什么是 RAG？', is_final: true });
      await plain.answer();

      // Asked after the plain one's answer ended: by the time its follow-ups and speech are in, any
      // the plain connection was going to get would be too.
      wants.send({ type: 'asr_chunk', text: '什么是 RAG？', is_final: true });
      const { chunks } = await wants.answer();
      const suggested = await wants.waitFor((m) => m.type === 'suggested');
      expect(suggested).toMatchObject({ answer_id: chunks[0].answer_id, questions: expect.arrayContaining([expect.any(String)]) });
      await wants.waitFor((m) => m.type === 'audio' && m.final === true);
      expect(suggestedCalls()).toEqual([`/v1/messages/${stack.dify.streams.at(-1)!.messageId}/suggested`]);
      expect(plain.received.some((m) => m.type === 'audio' || m.type === 'suggested')).toBe(false);
      const audio = wants.received.filter((m) => m.type === 'audio');
      expect(new Set(audio.map((m) => m.answer_id))).toEqual(new Set([chunks[0].answer_id]));
      const bytes = Buffer.concat(audio.map((m) => Buffer.from(String(m.audio), 'base64')));
      expect(bytes.subarray(0, 4).toString()).toBe('RIFF');
      expect(audio[0]).toMatchObject({ format: 'wav' });
      wants.close();
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
