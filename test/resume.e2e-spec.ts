import { waitUntil } from './support/wait-until';
import { Stack, startStack } from './support/stack';
import { Message, WsTestClient } from './support/ws-test-client';

const ask = (text: string, session_id: string) => ({ type: 'asr_chunk', text, is_final: true, session_id });

/** What a client has of an answer: its chunks so far, the text, and where a resume would start. */
function progress(client: WsTestClient, answerId: string) {
  const chunks = client.received.filter((m) => m.type === 'answer' && m.answer_id === answerId);
  const text = chunks.map((c) => String(c.content)).join('');
  return { chunks, text, offset: Array.from(text).length, streamIndex: chunks.length };
}

const answerIdOf = async (client: WsTestClient) =>
  String((await client.waitFor((m) => m.type === 'status' && m.stage === 'querying_rag')).answer_id);

describe('answers that outlive their socket (e2e)', () => {
  let stack: Stack;
  beforeEach(async () => {
    // Slow enough to drop the socket mid-answer.
    stack = await startStack({ env: { RESUME_GRACE_SECONDS: '5' }, dify: { chunkDelayMs: 20, chunkChars: 3 } });
  });
  afterEach(() => stack.close());

  it('resumes after a drop mid-answer: what the client had plus what it gets is the answer, numbered on', async () => {
    const first = await stack.connect();
    first.send(ask('什么是 RAG？', 'resume-1'));
    const answerId = await answerIdOf(first);
    await first.waitFor(() => progress(first, answerId).chunks.length >= 3);
    first.socket.terminate();
    const had = progress(first, answerId);

    const second = await stack.connect();
    second.send({ type: 'resume', session_id: 'resume-1', answer_id: answerId, offset: had.offset, stream_index: had.streamIndex });
    const ack = await second.waitFor((m) => m.type === 'ack' && m.received_type === 'resume');
    const { chunks } = await second.answer(second.received.indexOf(ack));
    expect(chunks.map((c) => c.stream_index)).toEqual(chunks.map((_, i) => had.streamIndex + i));
    expect(chunks.every((c) => c.answer_id === answerId)).toBe(true);
    expect(had.text + chunks.map((c) => String(c.content)).join('')).toBe(stack.dify.streams[0].answer);
    expect(stack.dify.streams).toHaveLength(1);
    expect(stack.dify.streams[0].outcome).toBe('completed');
    second.close();
  });

  it('resumes an answer that completed while the client was away, ending with its final chunk and idle', async () => {
    const first = await stack.connect();
    first.send({ type: 'hello', features: ['usage'], session_id: 'resume-2' });
    first.send(ask('什么是 RAG？', 'resume-2'));
    const answerId = await answerIdOf(first);
    await first.waitFor((m) => m.type === 'answer');
    first.socket.terminate();
    const had = progress(first, answerId);
    await waitUntil(() => stack.dify.streams[0]?.outcome === 'completed');

    const second = await stack.connect();
    second.send({ type: 'hello', features: ['usage'], session_id: 'resume-2' });
    second.send({ type: 'resume', session_id: 'resume-2', answer_id: answerId, offset: had.offset, stream_index: had.streamIndex });
    const idle = await second.waitFor((m) => m.type === 'status' && m.stage === 'idle');
    const after = second.received.slice(0, second.received.indexOf(idle) + 1);
    const rest = after.filter((m) => m.type === 'answer');
    expect(rest.at(-1)).toMatchObject({ final: true, finish_reason: 'complete', answer_id: answerId });
    expect(had.text + rest.map((c) => String(c.content)).join('')).toBe(stack.dify.streams[0].answer);
    expect(after.map((m) => m.type).slice(-3)).toEqual(['answer', 'usage', 'status']);
    second.close();
  });

  it('says RESUME_UNAVAILABLE for an answer it does not know', async () => {
    const client = await stack.connect();
    client.send({ type: 'resume', session_id: 'resume-3', answer_id: 'no-such-answer', offset: 0, stream_index: 0 });
    await client.waitFor((m) => m.type === 'ack' && m.received_type === 'resume');
    expect(await client.waitFor((m) => m.type === 'error')).toMatchObject({ code: 'RESUME_UNAVAILABLE' });
    client.close();
  });

  it('shows a connection that joins its session mid-answer the answer from its start, then the live chunks', async () => {
    const agent = await stack.connect();
    agent.send(ask('什么是 RAG？', 'joined-late'));
    const answerId = await answerIdOf(agent);
    await agent.waitFor(() => progress(agent, answerId).streamIndex >= 3);

    const supervisor = await stack.connect();
    supervisor.send({ type: 'keepalive', session_id: 'joined-late' });
    const ack = await supervisor.waitFor((m) => m.type === 'ack' && m.received_type === 'keepalive');
    const { text, chunks } = await supervisor.answer(supervisor.received.indexOf(ack));
    const after = supervisor.received.slice(supervisor.received.indexOf(ack) + 1);
    expect(after[0]).toMatchObject({ type: 'status', stage: 'querying_rag', answer_id: answerId, question: '什么是 RAG？' });
    expect(text).toBe(stack.dify.streams[0].answer);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.map((c) => c.stream_index)).toEqual(chunks.map((_, i) => i));
    agent.close();
    supervisor.close();
  });

  it('shows every connection of a session its statuses and answers, whichever asked, one answer at a time', async () => {
    const agent = await stack.connect();
    const supervisor = await stack.connect();
    supervisor.send({ type: 'keepalive', session_id: 'shared' });
    await supervisor.waitFor((m) => m.type === 'ack' && m.received_type === 'keepalive');
    agent.send(ask('什么是 RAG？', 'shared'));
    const { text: seenByAgent } = await agent.answer();
    const { text: seenBySupervisor } = await supervisor.answer();
    expect(seenBySupervisor).toBe(seenByAgent);
    expect(seenByAgent).toBe(stack.dify.streams[0].answer);

    // Both ask at once: the session has one answer at a time (BARGE_IN=interrupt: the one asked last
    // wins; which that is depends on each question's wait, which depends on what was said).
    const from = { agent: agent.received.length, supervisor: supervisor.received.length };
    agent.send(ask('What is Dify?', 'shared'));
    supervisor.send(ask('什么是 RAG？', 'shared'));
    const last = (client: WsTestClient, start: number) =>
      client.waitFor((m: Message) => m.type === 'answer' && m.final === true && m.finish_reason === 'complete', {
        from: start,
        timeoutMs: 10_000,
      });
    const [agentDone, supervisorDone] = await Promise.all([last(agent, from.agent), last(supervisor, from.supervisor)]);
    expect(agentDone.answer_id).toBe(supervisorDone.answer_id);
    const [, interrupted, answered] = stack.dify.streams;
    expect(interrupted.outcome).not.toBe('completed');
    expect([interrupted.query, answered.query].sort()).toEqual(['What is Dify?', '什么是 RAG？']);
    expect(stack.dify.streams).toHaveLength(3);
    agent.close();
    supervisor.close();
  });
});

it('stops an answer upstream when nobody came back within RESUME_GRACE_SECONDS', async () => {
  const stack = await startStack({ env: { RESUME_GRACE_SECONDS: '1' }, dify: { chunkDelayMs: 50, chunkChars: 1 } });
  try {
    const client = await stack.connect();
    client.send(ask('什么是 RAG？', 'gone'));
    await client.waitFor((m) => m.type === 'answer');
    const [record] = stack.dify.streams;
    const sent = record.chunksSent;
    client.socket.terminate();
    // Not stopped at once: Dify goes on streaming for the session to come back (a chunk every 50 ms,
    // the grace is 1 s); then stopped.
    await waitUntil(() => record.chunksSent >= sent + 3 || stack.dify.stopCalls.length > 0);
    expect(stack.dify.stopCalls).toEqual([]);
    await waitUntil(() => stack.dify.stopCalls.length > 0);
    expect(stack.dify.stopCalls).toEqual([{ taskId: stack.dify.streams[0].taskId, user: stack.dify.streams[0].user }]);
  } finally {
    await stack.close();
  }
});
