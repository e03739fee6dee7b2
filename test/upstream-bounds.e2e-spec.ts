import { once } from 'node:events';
import type { ItemResult, TaskView } from '../src/batch';
import { StreamRecord } from '../src/local-dify';
import { waitUntil } from './support/wait-until';
import { Stack, startStack } from './support/stack';
import { WsTestClient } from './support/ws-test-client';

const ask = (text: string, session_id?: string) => ({ type: 'asr_chunk', text, is_final: true, session_id });
const MAX_ANSWER_CHARS = 300;
/** The first `count` code points of an endless answer: the answer over and over. */
const endlessStart = (answer: string, count: number) =>
  Array.from(answer.repeat(Math.ceil(count / answer.length) + 1))
    .slice(0, count)
    .join('');

/** What one upstream (a Dify gone wrong) can make the service hold: each answer's size, the connections it keeps open. */
describe('bounds on what Dify can make the service hold (e2e)', () => {
  describe('an endless answer', () => {
    let stack: Stack;
    beforeEach(async () => {
      stack = await startStack({
        env: { MAX_ANSWER_CHARS: String(MAX_ANSWER_CHARS), AUTH_TOKENS: 'acme:acme-secret-token-1' },
        dify: { chunkChars: 40, chunkDelayMs: 1 },
      });
      stack.dify.injectFault({ kind: 'endless' });
    });
    afterEach(() => stack.close());

    /** The upstream request closed and the generation was stopped by the service's stop call. */
    async function stoppedUpstream(): Promise<StreamRecord> {
      const [record] = stack.dify.streams;
      if (record.generation === 'running') await once(stack.dify, 'message-end');
      await waitUntil(() => record.outcome !== 'open');
      expect(record).toMatchObject({ outcome: 'client-closed', generation: 'stopped' });
      expect(stack.dify.stopCalls).toEqual([{ taskId: record.taskId, user: record.user }]);
      expect(stack.dify.chatRequestsOpen).toBe(0);
      return record;
    }

    it('ends at MAX_ANSWER_CHARS with finish_reason length, and is stopped upstream', async () => {
      const client = await WsTestClient.connect(`${stack.wsUrl}?token=acme-secret-token-1`);
      client.send({ type: 'hello', features: ['usage'] });
      client.send(ask('什么是 RAG？'));
      const { text, chunks } = await client.answer();
      expect(chunks.at(-1)).toMatchObject({ final: true, content: '', finish_reason: 'length' });
      const usage = await client.waitFor((m) => m.type === 'usage');
      expect(usage).toMatchObject({ finish_reason: 'length' });
      const record = await stoppedUpstream();
      expect(text).toBe(endlessStart(record.answer, MAX_ANSWER_CHARS));
      await client.waitFor((m) => m.type === 'status' && m.stage === 'idle');
      client.close();
    });

    it('ends at MAX_ANSWER_CHARS in a batch too: the result keeps the text so far and says it was cut', async () => {
      const headers = { Authorization: 'Bearer acme-secret-token-1', 'Content-Type': 'application/json' };
      const created = await fetch(`${stack.httpUrl}/api/batch/tasks`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ name: 'endless', texts: ['什么是 RAG？'] }),
      });
      const { task_id } = (await created.json()) as { task_id: string };
      const task = async () => (await (await fetch(`${stack.httpUrl}/api/batch/tasks/${task_id}`, { headers })).json()) as TaskView;
      await waitUntil(async () => (await task()).status === 'completed', 10_000);
      const page = (await (await fetch(`${stack.httpUrl}/api/batch/tasks/${task_id}/results`, { headers })).json()) as {
        results: ItemResult[];
      };
      const record = await stoppedUpstream();
      expect(page.results).toEqual([
        expect.objectContaining({ index: 0, content: endlessStart(record.answer, MAX_ANSWER_CHARS), finish_reason: 'length' }),
      ]);
      expect(page.results[0].error_code).toBeUndefined();
    });
  });

  describe('a Dify that accepts connections and never answers', () => {
    let stack: Stack;
    beforeEach(async () => {
      stack = await startStack({ env: { MAX_CONCURRENT_ANSWERS: '3', DIFY_TIMEOUT: '1', DIFY_RETRIES: '0' } });
      for (let i = 0; i < 100; i++) stack.dify.injectFault({ kind: 'silent' });
    });
    afterEach(() => stack.close());

    it('never has more calls open than MAX_CONCURRENT_ANSWERS, barge-ins or not, and each closes at DIFY_TIMEOUT', async () => {
      const clients = await Promise.all(Array.from({ length: 5 }, () => stack.connect()));
      // Each session asks again and again, each question interrupting the last one's call (still waiting for headers).
      await Promise.all(
        clients.map(async (client, c) => {
          for (let q = 0; q < 4; q++) {
            const from = client.received.length;
            client.send(ask(`question ${q}?`, `silent-${c}`));
            await client.waitFor((m) => m.type === 'status' && m.stage === 'querying_rag', { from });
          }
        }),
      );
      // Refused beyond the cap (SERVER_BUSY) or timed out (DIFY_TIMEOUT), every session's last question ends.
      for (const client of clients) await client.waitFor((m) => m.type === 'status' && m.stage === 'idle', { timeoutMs: 15_000 });
      await waitUntil(() => stack.dify.chatRequestsOpen === 0, 15_000);
      expect(stack.dify.mostChatRequestsOpen).toBeGreaterThan(0);
      expect(stack.dify.mostChatRequestsOpen).toBeLessThanOrEqual(3);
      expect(clients.flatMap((c) => c.received).some((m) => m.type === 'error' && m.code === 'SERVER_BUSY')).toBe(true);

      // Every place was given back: a Dify that answers again is asked and answers.
      stack.dify.clearFaults();
      const from = clients[0].received.length;
      clients[0].send(ask('What is RAG?', 'silent-0'));
      const { chunks } = await clients[0].answer(from);
      expect(chunks.at(-1)).toMatchObject({ finish_reason: 'complete' });
      for (const client of clients) client.close();
    });
  });

  describe('two sockets of one session asking at the same moment', () => {
    let stack: Stack;
    beforeEach(async () => {
      // Slow to name the task (in its first event): an interrupted call still waits for that when the next question comes.
      stack = await startStack({ dify: { firstChunkDelayMs: 300, chunkDelayMs: 10 } });
    });
    afterEach(() => stack.close());

    it('never have two generations of the session open upstream at once', async () => {
      const [first, second] = await Promise.all([stack.connect(), stack.connect()]);
      for (let round = 0; round < 4; round++) {
        const from = first.received.length;
        const asked = stack.dify.streams.length;
        first.send(ask(`What is RAG? (${round})`, 'shared'));
        // The first question's call reached Dify, whose task is not named yet, when the second interrupts it.
        await waitUntil(() => stack.dify.streams.length > asked);
        second.send(ask(`What is Dify? (${round})`, 'shared'));
        await first.waitFor((m) => m.type === 'answer' && m.final === true && m.finish_reason === 'complete', { from, timeoutMs: 10_000 });
      }
      await waitUntil(() => stack.dify.streams.every((s) => s.generation !== 'running'));
      expect(stack.dify.streams).toHaveLength(8);
      expect(stack.dify.stopCalls).toHaveLength(4);
      expect(stack.dify.mostGenerationsPerUser).toBe(1);
      first.close();
      second.close();
    });
  });
});
