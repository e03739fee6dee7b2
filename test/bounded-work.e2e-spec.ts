import { BigKnowledge, BULK_LINE } from './support/big-knowledge';
import { Stack, startStack } from './support/stack';
import { Message, WsTestClient } from './support/ws-test-client';

/**
 * How many `/health` answers came while `attack` was still under way, asking one after another: an
 * instance the attack stalls answers none until it is over. (How fast is the benchmark's business.)
 */
async function healthAnswersDuring(stack: Stack, attack: Promise<unknown>): Promise<number> {
  let running = true;
  const over = attack.finally(() => (running = false));
  let answered = 0;
  while (running) {
    const response = await fetch(`${stack.httpUrl}/health`);
    if (running && response.ok) answered++;
    await new Promise((r) => setTimeout(r, 20));
  }
  await over;
  return answered;
}

const replies = (client: WsTestClient) => client.received.filter((m) => m.type === 'ack' || m.type === 'error').length - 1;
const errorsOf = (client: WsTestClient, code: string) => client.received.filter((m) => m.type === 'error' && m.code === code);

/**
 * What one client can make an instance do is bounded (issue: nobody can stall an instance). The
 * figures (health p99, a bystander's first chunk) are in `npm run bench -- --attack`; these tests
 * prove the mechanisms over real sockets, and that the instance answers others while it is attacked,
 * never how fast: that depends on the machine.
 */
describe('bounded work per client (e2e)', () => {
  describe('with the default limits', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({ dify: { chunkDelayMs: 0, firstChunkDelayMs: 0 } });
    });
    afterAll(() => stack.close());

    it('holds at most MAX_QUESTION_CHARS of a sentence that never ends, and serves others meanwhile', async () => {
      const speaker = await stack.connect();
      await speaker.waitForCount(2);
      const attack = (async () => {
        for (let i = 0; i < 40; i++) {
          speaker.send({ type: 'asr_chunk', text: `${'关于那个就是说 about the '.repeat(180)}and`, is_final: true });
          await new Promise((r) => setTimeout(r, 25));
        }
        await speaker.waitFor(() => replies(speaker) >= 40);
      })();
      expect(await healthAnswersDuring(stack, attack)).toBeGreaterThan(0);
      expect(stack.dify.streams).toHaveLength(0);
      // The sentence finally ends: what is asked is its last 500 characters.
      const from = speaker.received.length;
      speaker.send({ type: 'asr_chunk', text: '有几天？', is_final: true });
      await speaker.answer(from);
      const [asked] = stack.dify.streams;
      expect(Array.from(asked.query).length).toBe(500);
      expect(asked.query.endsWith('about the and 有几天？')).toBe(true);
      const bystander = await stack.connect();
      bystander.send({ type: 'asr_chunk', text: '什么是 RAG？', is_final: true });
      expect((await bystander.answer()).text).toBe(stack.dify.streams[1].answer);
      speaker.close();
      bystander.close();
    });

    it('refuses JSON nested past 8 levels with INVALID_MESSAGE before reading it, logging no stack trace', async () => {
      const clients = await Promise.all(Array.from({ length: 10 }, () => stack.connect()));
      const deep = `${'['.repeat(30_000)}${']'.repeat(30_000)}`;
      const attack = Promise.all(
        clients.map(async (client) => {
          for (let i = 0; i < 90; i++) client.sendRaw(deep);
          await client.waitFor(() => errorsOf(client, 'INVALID_MESSAGE').length === 90);
        }),
      );
      expect(await healthAnswersDuring(stack, attack)).toBeGreaterThan(0);
      expect(errorsOf(clients[0], 'INVALID_MESSAGE')[0].message).toMatch(/deeper than 8 levels/);
      const shallow = await stack.connect();
      shallow.sendRaw(JSON.stringify({ type: 'keepalive', extra: [[[[[[[1]]]]]]] }));
      await shallow.waitFor((m) => m.type === 'ack' && m.received_type === 'keepalive');
      expect(stack.logs.lines.filter((line) => /\n\s+at /.test(line))).toEqual([]);
      for (const client of [...clients, shallow]) client.close();
    }, 60_000); // 54 MB of nested brackets through real sockets take a while on a busy machine

    it('makes text well-formed before Dify sees it, and refuses a session_id that is not printable', async () => {
      const client = await stack.connect();
      client.send({ type: 'asr_chunk', text: 'what is \ud800 RAG?', is_final: true });
      await client.answer();
      expect(stack.dify.streams.at(-1)!.query).toBe('what is \ufffd RAG?');
      for (const session_id of ['bad\udc00id', 'zero\u200bwidth', 'x'.repeat(129), 'line\u2028break']) {
        const from = client.received.length;
        client.sendUnchecked({ type: 'keepalive', session_id });
        expect(await client.waitFor((m) => m.type === 'error', { from })).toMatchObject({ code: 'INVALID_MESSAGE' });
      }
      const from = client.received.length;
      client.send({ type: 'keepalive', session_id: '客服-42 😀' });
      expect(await client.waitFor((m) => m.type === 'ack', { from })).toMatchObject({ session_id: '客服-42 😀' });
      client.close();
    });
  });

  it('stops reading a flooding socket: frames it sent after it was condemned are never handled', async () => {
    // The slowest refill there is (a token every 10 s): each flooder spends its burst and is condemned
    // however slowly a busy machine reads its frames (at 50 a second, 20 slow sockets never ran out).
    const stack = await startStack({ env: { RATE_LIMIT_PER_SECOND: '0.1', RATE_LIMIT_BURST: '100' } });
    try {
      const flooders = await Promise.all(Array.from({ length: 20 }, () => stack.connect()));
      const keepalive = JSON.stringify({ type: 'keepalive' });
      await Promise.all(flooders.map((client) => client.waitForCount(2)));
      // Each sends its whole burst at once, as a flooding client would.
      const flooding = Promise.all(
        flooders.map(async (client) => {
          for (let i = 0; i < 1000; i++) client.sendRaw(keepalive);
          await client.waitForClose(50_000);
        }),
      );
      expect(await healthAnswersDuring(stack, flooding)).toBeGreaterThan(0);
      for (const client of flooders) {
        expect(client.closed?.code).toBe(1008);
        // The burst is answered, then a burst's worth refused; nothing of the 800 after that.
        expect(replies(client)).toBe(200);
      }
      const bystander = await stack.connect();
      bystander.send({ type: 'asr_chunk', text: '什么是 RAG？', is_final: true });
      expect((await bystander.answer()).text.length).toBeGreaterThan(0);
      bystander.close();
    } finally {
      await stack.close();
    }
  }, 60_000); // 20,000 frames through real sockets take a while on a busy machine

  describe('one huge upstream event', () => {
    const knowledge = new BigKnowledge();
    afterAll(() => knowledge.removeAll());

    const bulkStack = (megabytes: number) =>
      startStack({
        // Answers of megabytes, far past the default MAX_ANSWER_CHARS.
        env: { DIFY_MAX_EVENT_CHARS: String(4 * 1024 * 1024), MAX_TEXT_CHARS: '100', MAX_ANSWER_CHARS: String(100_000_000) },
        // One `message` event carries the whole answer.
        dify: { knowledgeDir: knowledge.make(megabytes), chunkChars: 100_000_000, chunkDelayMs: 0, firstChunkDelayMs: 0 },
      });

    it('reaches a fast reader whole, as chunks of at most SEND_CHUNK_MAX_CHARS, though it is bigger than the hard limit', async () => {
      const stack = await bulkStack(3);
      try {
        const client = await stack.connect();
        client.send({ type: 'asr_chunk', text: 'what is the bulk data?', is_final: true });
        const { text, chunks } = await client.answer(0, 30_000);
        expect(stack.dify.streams[0].chunksSent).toBe(1);
        expect(text).toBe(stack.dify.streams[0].answer);
        expect(text.length).toBeGreaterThan(2 * 1024 * 1024);
        expect(text).toContain(BULK_LINE);
        expect(Math.max(...chunks.map((c: Message) => String(c.content).length))).toBe(8192);
        expect(chunks.map((c) => c.stream_index)).toEqual(chunks.map((_, i) => i));
        expect(chunks.at(-1)).toMatchObject({ final: true, finish_reason: 'complete' });
        expect(client.closed).toBeUndefined();
        client.close();
      } finally {
        await stack.close();
      }
    }, 60_000);

    it('fails one over DIFY_MAX_EVENT_CHARS with its own code, not as a Dify refusal', async () => {
      const stack = await bulkStack(6);
      try {
        const client = await stack.connect();
        client.send({ type: 'asr_chunk', text: 'what is the bulk data?', is_final: true });
        const error = await client.waitFor((m) => m.type === 'error', { timeoutMs: 30_000 });
        expect(error).toMatchObject({ code: 'UPSTREAM_EVENT_TOO_LARGE', retryable: false });
        expect(String(error.message)).toMatch(/DIFY_MAX_EVENT_CHARS/);
        client.close();
      } finally {
        await stack.close();
      }
    }, 60_000);
  });

  it('uses one QUESTION_THRESHOLD: a lead-in below it is kept and joined to what follows', async () => {
    const stack = await startStack({ env: { QUESTION_THRESHOLD: '0.7' } });
    try {
      const client = await stack.connect();
      client.send({ type: 'asr_chunk', text: '关于年假怎么算', is_final: true });
      await client.waitFor((m) => m.type === 'status' && m.stage === 'waiting_for_question');
      client.send({ type: 'asr_chunk', text: '新员工有几天？', is_final: true });
      await client.answer();
      expect(stack.dify.streams.map((s) => s.query)).toEqual(['关于年假怎么算新员工有几天？']);
      client.close();
    } finally {
      await stack.close();
    }
  });
});
