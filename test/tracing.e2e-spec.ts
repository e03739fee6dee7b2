import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { LocalDifyServer } from '../src/local-dify';
import { freePort } from './support/net';
import { OtlpReceiver, ReceivedSpan } from './support/otlp-receiver';
import { ServiceOutput, spawnService } from './support/service-process';
import { TEST_API_KEY } from './support/stack';
import { waitUntil } from './support/wait-until';
import { WsTestClient } from './support/ws-test-client';

/*
 * Traces over real sockets and real processes: the service (src/main.ts, its own process, so its SDK
 * starts as in production) exporting OTLP/HTTP to a receiver on loopback in this test, a WebSocket
 * client whose upgrade carries a W3C traceparent, and the local Dify seeing the trace continued.
 */
jest.setTimeout(60_000);

const CALLER_TRACE = randomBytes(16).toString('hex');
const CALLER_SPAN = randomBytes(8).toString('hex');

describe('OpenTelemetry traces (e2e)', () => {
  const receiver = new OtlpReceiver();
  const dify = new LocalDifyServer({ apiKeys: [TEST_API_KEY], chunkDelayMs: 2, firstChunkDelayMs: 5 });
  const output: ServiceOutput = { text: '' };
  let service: ChildProcess;
  let wsUrl: string;
  let httpUrl: string;

  beforeAll(async () => {
    const [endpoint, { baseUrl }, port] = await Promise.all([receiver.listen(), dify.listen(0, '127.0.0.1'), freePort()]);
    service = spawnService(
      port,
      {
        NODE_ENV: 'production',
        DIFY_API_KEY: TEST_API_KEY,
        DIFY_BASE_URL: baseUrl,
        DIFY_RETRY_BASE_MS: '10',
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_SERVICE_NAME: 'realtime-rag-e2e',
        OTEL_BSP_SCHEDULE_DELAY: '50',
      },
      output,
    );
    await waitUntil(
      () =>
        fetch(`http://127.0.0.1:${port}/health`).then(
          (response) => response.ok,
          () => false,
        ),
      45_000,
    );
    httpUrl = `http://127.0.0.1:${port}`;
    wsUrl = `ws://127.0.0.1:${port}/ws/realtime-asr`;
  });
  afterAll(async () => {
    service.kill('SIGTERM');
    await new Promise((resolve) => service.once('exit', resolve));
    await Promise.all([receiver.close(), dify.close()]);
  });

  /** The span named `name` that `where` picks, once it has been exported. */
  async function spanNamed(name: string, where: (span: ReceivedSpan) => boolean = () => true): Promise<ReceivedSpan> {
    await waitUntil(() => receiver.named(name).some(where));
    return receiver.named(name).find(where)!;
  }
  const childOf = (parent: ReceivedSpan) => (span: ReceivedSpan) => span.parentSpanId === parent.spanId;

  it("traces an answer under the upgrade's traceparent: the session store, Dify's call with its retry (Dify gets the traceparent), logs with the ids, no session id in clear", async () => {
    // Dify's first answer is a 503: the call is retried once, within its span.
    dify.injectFault({ kind: 'http', status: 503, code: 'unavailable', message: 'Service unavailable' });
    const client = await WsTestClient.connect(wsUrl, { headers: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` } });
    client.send({ type: 'asr_chunk', text: '什么是 RAG？', is_final: true });
    const final = await client.waitFor((m) => m.type === 'answer' && m.final === true);
    const answerId = final.answer_id as string;

    const answer = await spanNamed('answer', (span) => span.attributes['realtime_rag.answer_id'] === answerId);
    // The turn (the question detected, then the wait for the speaker to stop) asked it.
    const turn = await spanNamed('turn', (span) => span.spanId === answer.parentSpanId);
    expect(turn).toMatchObject({ traceId: CALLER_TRACE, parentSpanId: CALLER_SPAN });
    expect(turn.attributes['realtime_rag.question_score']).toBeGreaterThan(0);
    expect(answer.traceId).toBe(CALLER_TRACE);
    expect(answer.resource).toMatchObject({ 'service.name': 'realtime-rag-e2e', 'service.version': expect.any(String) });
    expect(answer.attributes).toMatchObject({
      'realtime_rag.question_mode': 'detected',
      'realtime_rag.finish_reason': 'complete',
      'realtime_rag.outcome': 'completed',
      'realtime_rag.principal': expect.stringMatching(/^[0-9a-f]{16}$/),
      'realtime_rag.session': expect.stringMatching(/^[0-9a-f]{16}$/),
      'realtime_rag.time_to_first_token_ms': expect.any(Number),
    });

    const lookup = await spanNamed('session.get', childOf(answer));
    expect(lookup.traceId).toBe(CALLER_TRACE);
    const chat = await spanNamed('dify.chat-messages', childOf(answer));
    // The conversation Dify names is saved at its first event, during the call.
    await spanNamed('session.update', childOf(chat));
    expect(chat.kind).toBe(3); // CLIENT
    expect(chat.events).toEqual(['retry', 'first_token']);
    expect(chat.attributes).toMatchObject({
      'realtime_rag.outcome': 'completed',
      'realtime_rag.finish_reason': 'message_end',
      'realtime_rag.time_to_first_token_ms': expect.any(Number),
      'gen_ai.usage.output_tokens': expect.any(Number),
    });
    // Both tries went to Dify under the chat span.
    const asked = dify.requests.filter((request) => request.path === '/v1/chat-messages').map((request) => request.headers.traceparent);
    expect(asked).toEqual([`00-${CALLER_TRACE}-${chat.spanId}-01`, `00-${CALLER_TRACE}-${chat.spanId}-01`]);

    // The retry's warning, logged within the chat span, names it.
    const retried = output.text
      .split('\n')
      .filter((line) => line.includes('retry 1 of'))
      .map((line) => JSON.parse(line) as { trace_id?: string; span_id?: string });
    expect(retried).toEqual([expect.objectContaining({ trace_id: CALLER_TRACE, span_id: chat.spanId })]);
    // The session id is in no span (its hash is).
    expect(JSON.stringify(receiver.spans)).not.toContain(final.session_id as string);
    client.close();
  });

  it('starts a trace of its own for an answer whose upgrade named none', async () => {
    const client = await WsTestClient.connect(wsUrl);
    client.send({ type: 'asr_chunk', text: 'What is Dify?', is_final: true });
    const final = await client.waitFor((m) => m.type === 'answer' && m.final === true);
    const answer = await spanNamed('answer', (span) => span.attributes['realtime_rag.answer_id'] === final.answer_id);
    const turn = await spanNamed('turn', (span) => span.spanId === answer.parentSpanId);
    expect(turn.traceId).not.toBe(CALLER_TRACE);
    expect(turn.parentSpanId ?? '').toBe('');
    client.close();
  });

  it('traces a resume, in the trace of the connection that asks it, naming the answer', async () => {
    const first = await WsTestClient.connect(wsUrl);
    first.send({ type: 'asr_chunk', text: 'What is RAG?', is_final: true, session_id: 'traced-resume' });
    const final = await first.waitFor((m) => m.type === 'answer' && m.final === true);
    first.close();

    const traceId = randomBytes(16).toString('hex');
    const second = await WsTestClient.connect(wsUrl, { headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` } });
    second.send({ type: 'resume', session_id: 'traced-resume', answer_id: final.answer_id, offset: 0, stream_index: 0 });
    await second.waitFor((m) => m.type === 'answer' && m.final === true);
    const resume = await spanNamed('resume', (span) => span.traceId === traceId);
    expect(resume.attributes).toMatchObject({ 'realtime_rag.answer_id': final.answer_id });
    second.close();
  });

  it("traces a batch task under its request's traceparent, each item a span of the task's trace", async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const response = await fetch(`${httpUrl}/api/batch/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpan}-01` },
      body: JSON.stringify({ name: 'traced', texts: ['What is RAG?', 'What is Dify?'] }),
    });
    expect(response.status).toBe(201);

    const task = await spanNamed('batch.task', (span) => span.traceId === traceId);
    expect(task.parentSpanId).toBe(callerSpan);
    expect(task.attributes['realtime_rag.batch_items']).toBe(2);
    await waitUntil(() => receiver.named('batch.item').filter(childOf(task)).length === 2);
    const items = receiver.named('batch.item').filter(childOf(task));
    expect(items.map((item) => item.attributes['realtime_rag.batch_item']).sort()).toEqual([0, 1]);
    for (const item of items) {
      expect(item).toMatchObject({ traceId, attributes: expect.objectContaining({ 'realtime_rag.outcome': 'completed' }) });
      await spanNamed('dify.chat-messages', childOf(item));
    }
  });
});
