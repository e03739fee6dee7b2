import { once } from 'node:events';
import type { Socket } from 'node:net';
import { StreamRecord } from '../src/local-dify';
import { BigKnowledge } from './support/big-knowledge';
import { Stack, startStack } from './support/stack';
import { WsTestClient } from './support/ws-test-client';

/** Stops reading from the socket, as a slow or stuck client would. */
const stopReading = (client: WsTestClient) => (client.socket as unknown as { _socket: Socket })._socket.pause();
const resumeReading = (client: WsTestClient) => (client.socket as unknown as { _socket: Socket })._socket.resume();

describe('backpressure on slow readers (e2e)', () => {
  // Loopback sockets buffer several MB in the kernel before a sender sees any backlog, so the
  // answers must be bigger than that.
  const knowledge = new BigKnowledge();
  afterAll(() => knowledge.removeAll());

  async function slowStack(hardLimit: string, answerMegabytes: number): Promise<Stack> {
    const knowledgeDir = knowledge.make(answerMegabytes);
    return startStack({
      // No grace for the closed reader's answer: what is measured is that it stops upstream. Answers of
      // megabytes, far past the default MAX_ANSWER_CHARS.
      env: {
        SEND_HIGH_WATER_BYTES: '16384',
        SEND_HARD_LIMIT_BYTES: hardLimit,
        MAX_TEXT_CHARS: '100',
        RESUME_GRACE_SECONDS: '0',
        MAX_ANSWER_CHARS: String(100_000_000),
      },
      dify: { knowledgeDir, chunkChars: 4000, chunkDelayMs: 0, firstChunkDelayMs: 0 },
    });
  }

  it('merges a slow reader’s chunks losslessly and in order', async () => {
    const stack = await slowStack(String(64 * 1024 * 1024), 8);
    const client = await stack.connect();
    await client.waitForCount(2);
    const ended = once(stack.dify, 'stream-end');
    stopReading(client);
    client.send({ type: 'asr_chunk', text: 'what is the bulk data?', is_final: true });
    await ended;
    resumeReading(client);
    const { text, chunks } = await client.answer(0, 60_000);
    const record = stack.dify.streams[0];
    expect(text).toBe(record.answer);
    expect(chunks.map((c) => c.stream_index)).toEqual(chunks.map((_, i) => i));
    expect(chunks.length).toBeLessThan(record.chunksSent);
    client.close();
    await stack.close();
  }, 60_000);

  it('closes a reader that falls past the hard limit with 1013, stops its answer upstream, and serves others', async () => {
    const stack = await slowStack(String(1024 * 1024), 24);
    const slow = await stack.connect();
    await slow.waitForCount(2);
    stopReading(slow);
    slow.send({ type: 'asr_chunk', text: 'what is the bulk data?', is_final: true });
    const generated = once(stack.dify, 'message-end');
    const [record] = (await once(stack.dify, 'stream-end')) as [StreamRecord];
    expect(record.outcome).toBe('client-closed');
    resumeReading(slow);
    expect((await slow.waitForClose()).code).toBe(1013);
    // Left alone, Dify would generate the whole answer (seconds more): the service's stop call ends it.
    await generated;
    expect(record.generation).toBe('stopped');
    expect(stack.dify.stopCalls).toEqual([{ taskId: record.taskId, user: record.user }]);
    const other = await stack.connect();
    other.send({ type: 'keepalive' });
    await other.waitFor((m) => m.type === 'ack' && m.received_type === 'keepalive');
    other.close();
    await stack.close();
  }, 60_000);
});
