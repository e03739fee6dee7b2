import { once } from 'node:events';
import { StreamRecord } from '../src/local-dify';
import { waitUntil } from './support/wait-until';
import { Stack, startStack } from './support/stack';

const ask = (text: string) => ({ type: 'asr_chunk', text, is_final: true });

describe('cancelling answers upstream (e2e)', () => {
  let stack: Stack;
  beforeEach(async () => {
    // Slow enough that the answer is still streaming when the test acts; no grace for a client that
    // goes (RESUME_GRACE_SECONDS=0, the behaviour before resumable answers; resume.e2e-spec has the grace).
    stack = await startStack({ env: { RESUME_GRACE_SECONDS: '0' }, dify: { chunkDelayMs: 50, chunkChars: 2 } });
  });
  afterEach(() => stack.close());

  it('aborts the upstream request and tells Dify to stop when the client goes mid-answer', async () => {
    const client = await stack.connect();
    client.send(ask('什么是 RAG？'));
    await client.waitFor((m) => m.type === 'answer');
    const ended = once(stack.dify, 'stream-end');
    const generated = once(stack.dify, 'message-end');
    client.socket.terminate();
    const [record] = (await ended) as [StreamRecord];
    expect(record.outcome).toBe('client-closed');
    // Dify goes on generating for a client that left (seconds more here): the service's stop call ends it.
    await generated;
    expect(record.generation).toBe('stopped');
    expect(stack.dify.stopCalls).toEqual([{ taskId: record.taskId, user: record.user }]);
  });

  it('interrupts an answer with a newer question: the old one is aborted and stopped, the new one completes', async () => {
    const client = await stack.connect();
    client.send(ask('什么是 RAG？'));
    await client.waitFor((m) => m.type === 'answer');
    const from = client.received.length;
    client.send(ask('What is Dify?'));
    await client.waitFor((m) => m.type === 'status' && m.stage === 'interrupting', { from });
    const closing = await client.waitFor((m) => m.type === 'answer' && m.final === true, { from });
    expect(closing).toMatchObject({ content: '', finish_reason: 'interrupted' });
    const [first] = stack.dify.streams;
    // Stopped by the service long before its own end, at this pace.
    await waitUntil(() => first.generation !== 'running');
    expect(first).toMatchObject({ outcome: 'client-closed', generation: 'stopped' });
    expect(stack.dify.stopCalls).toContainEqual({ taskId: first.taskId, user: first.user });
    stack.dify.options.chunkDelayMs = 1;
    const { text } = await client.answer(client.received.indexOf(closing) + 1);
    const second = stack.dify.streams[1];
    expect(second).toMatchObject({ outcome: 'completed', generation: 'completed' });
    expect(text).toBe(second.answer);
    client.close();
  });

  it('does not call stop for an answer that completed', async () => {
    const client = await stack.connect();
    stack.dify.options.chunkDelayMs = 1;
    client.send(ask('What is RAG?'));
    await client.answer();
    client.close();
    await client.waitForClose();
    // The shutdown waits for every stop call under way: one made for this answer would be in by now.
    await stack.close();
    expect(stack.dify.stopCalls).toEqual([]);
    expect(stack.dify.streams[0]).toMatchObject({ outcome: 'completed', generation: 'completed' });
  });
});
