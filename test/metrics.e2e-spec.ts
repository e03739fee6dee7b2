import { sample } from './support/prometheus';
import { Stack, startStack } from './support/stack';
import { waitUntil } from './support/wait-until';

describe('Prometheus metrics (e2e)', () => {
  let stack: Stack | undefined;
  afterEach(() => stack?.close());

  it('counts connections, questions, Dify calls by outcome, interrupts, time to first chunk and answer duration', async () => {
    stack = await startStack({ dify: { chunkDelayMs: 15 } });
    const client = await stack.connect();
    client.send({ type: 'asr_chunk', text: '什么是 RAG？', is_final: true });
    await client.waitFor((m) => m.type === 'answer');
    client.send({ type: 'asr_chunk', text: 'What is Dify?', is_final: true }); // interrupts the first answer
    await client.waitFor((m) => m.type === 'status' && m.stage === 'interrupting');
    await client.answer(client.received.findIndex((m) => m.stage === 'interrupting') + 2);
    client.send({ type: 'control', action: 'instant_query' });
    const instant = await client.waitFor((m) => m.type === 'status' && m.stage === 'instant_query');
    await client.waitFor((m) => m.type === 'status' && m.stage === 'idle', { from: client.received.indexOf(instant) });

    const response = await fetch(`${stack.httpUrl}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(sample(text, 'realtime_rag_connections')).toBe(1);
    expect(sample(text, 'realtime_rag_sessions_stored')).toBe(1);
    expect(sample(text, 'realtime_rag_questions_total{mode="detected"}')).toBe(2);
    expect(sample(text, 'realtime_rag_questions_total{mode="instant"}')).toBe(1);
    expect(sample(text, 'realtime_rag_interrupts_total')).toBe(1);
    expect(sample(text, 'realtime_rag_dify_calls_total{outcome="cancelled",app="default"}')).toBe(1);
    expect(sample(text, 'realtime_rag_dify_calls_total{outcome="completed",app="default"}')).toBe(2);
    expect(sample(text, 'realtime_rag_first_chunk_seconds_count{app="default"}')).toBe(3);
    expect(sample(text, 'realtime_rag_answer_duration_seconds_count{app="default"}')).toBe(2);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);

    client.close();
    await client.waitForClose();
    // The server sees the close a moment after the client does.
    const metrics = `${stack.httpUrl}/metrics`;
    const connections = async () => sample(await (await fetch(metrics)).text(), 'realtime_rag_connections');
    await waitUntil(async () => (await connections()) === 0);
  });

  it('counts resumes, errors sent by code, answers in flight, and the readiness verdict on Dify and the sessions', async () => {
    // An answer left without a client is stopped at once; one whose Dify never named its task is let go after DIFY_TIMEOUT.
    stack = await startStack({ env: { RESUME_GRACE_SECONDS: '0', DIFY_TIMEOUT: '1' } });
    const metrics = async () => (await fetch(`${stack!.httpUrl}/metrics`)).text();
    const inFlight = async () => sample(await metrics(), 'realtime_rag_answers_in_flight');
    const client = await stack.connect();
    client.send({ type: 'resume', session_id: 'metrics-resume', answer_id: 'no-such-answer', offset: 0, stream_index: 0 });
    await client.waitFor((m) => m.type === 'error' && m.code === 'RESUME_UNAVAILABLE');
    // Dify holds the answer: in flight until its client leaves.
    stack.dify.injectFault({ kind: 'hang' });
    client.send({ type: 'asr_chunk', text: '什么是 RAG？', is_final: true });
    await waitUntil(async () => (await inFlight()) === 1);
    client.close();
    await waitUntil(async () => (await inFlight()) === 0);

    expect((await fetch(`${stack.httpUrl}/health/ready`)).status).toBe(200);
    const text = await metrics();
    expect(sample(text, 'realtime_rag_resumes_total')).toBe(1);
    expect(sample(text, 'realtime_rag_errors_total{code="RESUME_UNAVAILABLE"}')).toBe(1);
    expect(sample(text, 'realtime_rag_dependency_up{dependency="dify"}')).toBe(1);
    expect(sample(text, 'realtime_rag_dependency_up{dependency="sessions"}')).toBe(1);
  });
});
