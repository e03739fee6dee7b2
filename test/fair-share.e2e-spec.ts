import type { TaskView } from '../src/batch';
import { batchQueues } from './support/batch-queues';
import { upgradeStatus } from './support/net';
import { Stack, startStack } from './support/stack';
import { waitUntil } from './support/wait-until';
import { WsTestClient } from './support/ws-test-client';

const TOKENS = 'alpha:alpha-secret-token-1,bravo:bravo-secret-token-2';
const A = { Authorization: 'Bearer alpha-secret-token-1' };
const B = { Authorization: 'Bearer bravo-secret-token-2' };
/** Questions with this in them stream from the local Dify until stopped: they hold their answer slot. */
const HOLD = '[hold]';

const ask = (text: string, session_id?: string) => ({ type: 'asr_chunk', text, is_final: true, session_id });

describe('a fair share for every principal, live (e2e)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      env: {
        AUTH_TOKENS: TOKENS,
        MAX_CONCURRENT_ANSWERS: '4',
        MAX_CONCURRENT_ANSWERS_PER_PRINCIPAL: '2',
        MAX_CONNECTIONS_PER_PRINCIPAL: '3',
        SESSION_MAX: '4',
      },
    });
    stack.dify.injectQueryFault(HOLD, { kind: 'endless' });
  });
  afterAll(() => stack.close());

  it("says SERVER_BUSY to a principal past its answer share while another's question is answered", async () => {
    const a = await Promise.all([1, 2, 3].map(() => WsTestClient.connect(stack.wsUrl, { headers: A })));
    a[0].send(ask(`What is RAG? ${HOLD}`, 'a-0'));
    a[1].send(ask(`What is Dify? ${HOLD}`, 'a-1'));
    await Promise.all(a.slice(0, 2).map((client) => client.waitFor((m) => m.type === 'answer')));
    a[2].send(ask('And annual leave?', 'a-2'));
    expect(await a[2].waitFor((m) => m.type === 'error')).toMatchObject({ code: 'SERVER_BUSY', retryable: true });

    const b = await WsTestClient.connect(stack.wsUrl, { headers: B });
    b.send(ask('What is RAG?', 'b-0'));
    expect((await b.answer()).text.length).toBeGreaterThan(0);
    for (const client of [...a, b]) client.close();
    await Promise.all([...a, b].map((client) => client.waitForClose()));
  });

  it("refuses a principal's connections past its cap with HTTP 429, and lets another's in", async () => {
    const a = await Promise.all([1, 2, 3].map(() => WsTestClient.connect(stack.wsUrl, { headers: A })));
    expect(await upgradeStatus(stack.wsUrl, A)).toBe(429);
    expect(await upgradeStatus(stack.wsUrl, B)).toBe(101);
    await waitUntil(() => stack.logs.lines.some((line) => line.includes('Upgrade refused: too_many_principal_connections (HTTP 429)')));
    for (const client of a) client.close();
    await Promise.all(a.map((client) => client.waitForClose()));
  });

  it("keeps a principal's session however many sessions another one starts (SESSION_MAX)", async () => {
    const b = await WsTestClient.connect(stack.wsUrl, { headers: B });
    b.send(ask('What is RAG?', 'b-call'));
    await b.answer();
    const first = stack.dify.streams.find((stream) => stream.user === 'bravo:b-call')!;
    const a = await WsTestClient.connect(stack.wsUrl, { headers: A });
    for (let i = 0; i < 8; i++) {
      const from = a.received.length;
      a.send(ask('What is Dify?', `a-many-${i}`));
      await a.answer(from);
    }
    const from = b.received.length;
    b.send(ask('And its advantages?', 'b-call'));
    await b.answer(from);
    const second = stack.dify.streams.filter((stream) => stream.user === 'bravo:b-call')[1];
    expect(second.conversationId).toBe(first.conversationId);
    for (const client of [a, b]) client.close();
    await Promise.all([a, b].map((client) => client.waitForClose()));
  });
});

const { queues: QUEUES } = batchQueues();

async function api<T>(stack: Stack, headers: Record<string, string>, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${stack.httpUrl}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

describe.each(QUEUES)('a fair share for every principal, batch (e2e, $queue)', ({ env }) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { AUTH_TOKENS: TOKENS, BATCH_CONCURRENCY: '2', ...(await env()) }, dify: { chunkDelayMs: 5 } });
  });
  afterAll(() => stack.close());

  it("answers a principal's small task between the items of another's large one, not after them", async () => {
    const texts = Array.from({ length: 300 }, (_, i) => `What does section ${i + 1} say?`);
    const large = await api<TaskView>(stack, A, 'POST', '/api/batch/tasks', { name: 'large', texts });
    const view = (headers: Record<string, string>, id: string) => api<TaskView>(stack, headers, 'GET', `/api/batch/tasks/${id}`);
    await waitUntil(async () => (await view(A, large.task_id)).progress.completed >= 3);

    const small = await api<TaskView>(stack, B, 'POST', '/api/batch/tasks', {
      name: 'small',
      texts: ['What is RAG?', 'What is Dify?', 'Annual leave?', 'Expenses?', 'Passwords?'],
    });
    await waitUntil(async () => (await view(B, small.task_id)).status === 'completed');
    // In turns: B's five went while most of A's 300 still waited (in arrival order they would all go first).
    const { progress } = await view(A, large.task_id);
    expect(progress.completed + progress.failed).toBeLessThan(150);
    expect((await view(B, small.task_id)).progress).toMatchObject({ completed: 5, failed: 0 });
    await api(stack, A, 'DELETE', `/api/batch/tasks/${large.task_id}`);
  });
});
