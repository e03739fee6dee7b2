import { once } from 'node:events';
import { Stack, startStack } from './support/stack';
import { waitUntil } from './support/wait-until';

const QUESTION = { type: 'asr_chunk', text: '什么是 RAG？', is_final: true };

describe('streaming answers (e2e)', () => {
  // Each app type and wire format (CRLF, pre-1.8.1 JSON) from the local Dify is dify.client.spec's;
  // here one answer, its frames cut at random bytes, crosses the whole service.
  describe('chat, frames cut at random bytes', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({ dify: { chunkChars: 3, pingIntervalMs: 7, splitWrites: true, seed: 11 } });
    });
    afterAll(() => stack.close());

    it('streams the answer chunk by chunk, and the chunks join to exactly the answer Dify produced', async () => {
      const client = await stack.connect();
      client.send(QUESTION);
      const { text, chunks } = await client.answer();
      await client.waitFor((m) => m.type === 'status' && m.stage === 'idle');
      const record = stack.dify.streams.at(-1)!;
      await waitUntil(() => record.outcome !== 'open'); // recorded once the local Dify's response has ended
      expect(record.outcome).toBe('completed');
      expect(text).toBe(record.answer);
      expect(text.length).toBeGreaterThan(20);
      expect(chunks.map((c) => c.stream_index)).toEqual(chunks.map((_, i) => i));
      expect(chunks.filter((c) => c.final)).toEqual([chunks.at(-1)]);
      expect(chunks.length).toBeGreaterThanOrEqual(record.chunksSent);
      const stages = client.received.filter((m) => m.type === 'status').map((m) => m.stage);
      expect(stages).toEqual(['listening', 'analyzing', 'querying_rag', 'idle']);
      client.close();
    });
  });

  describe('timing', () => {
    let stack: Stack;
    beforeAll(async () => {
      // Seconds between Dify's chunks until the test has seen the first one: no busy machine is that slow.
      stack = await startStack({ dify: { chunkDelayMs: 1000, chunkChars: 2, firstChunkDelayMs: 0 } });
    });
    afterAll(() => stack.close());

    it('forwards the first chunk while Dify is still generating the rest', async () => {
      const client = await stack.connect();
      const ended = once(stack.dify, 'stream-end');
      client.send(QUESTION);
      await client.waitFor((m) => m.type === 'answer');
      expect(stack.dify.streams.at(-1)!.outcome).toBe('open');
      stack.dify.options.chunkDelayMs = 1;
      await ended;
      await client.answer();
      client.close();
    });
  });

  describe('moderation', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack();
    });
    afterAll(() => stack.close());

    it('sends a replacing chunk when Dify replaces the answer (message_replace)', async () => {
      const client = await stack.connect();
      stack.dify.injectFault({ kind: 'message-replace', afterChunks: 2, answer: '抱歉，这个问题无法回答。' });
      client.send(QUESTION);
      const { text, chunks } = await client.answer();
      expect(text).toBe('抱歉，这个问题无法回答。');
      expect(chunks.filter((c) => c.replace === true)).toHaveLength(1);
      client.close();
    });
  });
});
