import type { ItemResult, TaskView } from '../src/batch';
import { sample } from './support/prometheus';
import { batchQueues } from './support/batch-queues';
import { waitUntil } from './support/wait-until';
import { Stack, startStack } from './support/stack';
import { WsTestClient } from './support/ws-test-client';

const { queues: QUEUES } = batchQueues();

const TOKENS = 'acme:acme-secret-token-1,globex:globex-secret-token-2';
const ACME = { Authorization: 'Bearer acme-secret-token-1' };
const GLOBEX = { Authorization: 'Bearer globex-secret-token-2' };

async function call(stack: Stack, method: string, path: string, body?: unknown, headers: Record<string, string> = ACME) {
  const response = await fetch(`${stack.httpUrl}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = response.headers.get('content-type')?.includes('application/json') ? (JSON.parse(text) as unknown) : undefined;
  return { status: response.status, type: response.headers.get('content-type'), text, json };
}

async function submit(stack: Stack, body: unknown): Promise<string> {
  const { status, json } = await call(stack, 'POST', '/api/batch/tasks', body);
  expect(status).toBe(201);
  return (json as { task_id: string }).task_id;
}

async function finished(stack: Stack, id: string): Promise<TaskView> {
  let task: TaskView | undefined;
  const poll = async () => (task = (await call(stack, 'GET', `/api/batch/tasks/${id}`)).json as TaskView);
  await poll();
  while (task!.status === 'pending' || task!.status === 'running') {
    await new Promise((resolve) => setTimeout(resolve, 50));
    await poll();
  }
  return task!;
}

const results = async (stack: Stack, id: string, query = '') =>
  (await call(stack, 'GET', `/api/batch/tasks/${id}/results${query}`)).json as {
    results: ItemResult[];
    total: number;
    page: number;
    size: number;
  };

describe.each(QUEUES)('the batch API (e2e, $queue)', ({ env }) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { AUTH_TOKENS: TOKENS, BATCH_CONCURRENCY: '3', BATCH_MAX_BODY_BYTES: '100000', ...(await env()) } });
  });
  afterAll(() => stack.close());

  it('says at start-up and in its status whether the queue is durable', async () => {
    const said =
      /warn Batch tasks are (kept in this process only \(not durable\)|jobs on BullMQ in Redis.*: not durable, Redis has no append-only file)/;
    await waitUntil(() => stack.logs.lines.some((line) => said.test(line)));
    const { json } = await call(stack, 'GET', '/api/batch/status');
    expect(json).toMatchObject({ durable: false, concurrency: 3, workers: 1, rate_per_second: 20 });
  });

  it('answers every text, each as its own Dify question, and pages the results', async () => {
    const texts = ['什么是 RAG？', 'How do I reset my password?', '年假有几天？', 'What is Dify?', '报销流程是什么？'];
    const id = await submit(stack, { name: 'faq', texts, description: 'nightly' });
    const task = await finished(stack, id);
    expect(task).toMatchObject({ status: 'completed', progress: { total: 5, completed: 5, failed: 0 }, error_message: null });
    expect(task.started_at).not.toBeNull();
    expect(task.completed_at).not.toBeNull();

    const all = await results(stack, id);
    expect(all).toMatchObject({ total: 5, page: 1, size: 100 });
    expect(all.results.map((r) => [r.index, r.text])).toEqual(texts.map((text, index) => [index, text]));
    for (const result of all.results) {
      expect(result.content).not.toBe('');
      expect(result.error_code).toBeUndefined();
    }
    const page = await results(stack, id, '?page=2&size=2');
    expect(page).toMatchObject({ total: 5, page: 2, size: 2 });
    expect(page.results.map((r) => r.index)).toEqual([2, 3]);

    const users = stack.dify.requests
      .filter((r) => r.path === '/v1/chat-messages' && texts.includes((r.body as { query: string }).query))
      .map((r) => r.body as { user: string; conversation_id?: string });
    expect(new Set(users.map((u) => u.user)).size).toBe(5);
    expect(users.every((u) => !u.conversation_id)).toBe(true);
  });

  it('exports the results as JSON Lines and CSV', async () => {
    const id = await submit(stack, { name: 'export', texts: ['什么是 RAG？', 'What is Dify, "really"?'] });
    await finished(stack, id);
    const jsonl = await call(stack, 'GET', `/api/batch/tasks/${id}/results`, undefined, { ...ACME, Accept: 'application/x-ndjson' });
    expect(jsonl.type).toMatch(/^application\/x-ndjson/);
    const lines = jsonl.text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as ItemResult);
    expect(lines.map((r) => r.text)).toEqual(['什么是 RAG？', 'What is Dify, "really"?']);

    const csv = await call(stack, 'GET', `/api/batch/tasks/${id}/results`, undefined, { ...ACME, Accept: 'text/csv' });
    expect(csv.type).toMatch(/^text\/csv/);
    const [header, , second] = csv.text.split('\r\n');
    expect(header).toBe('index,text,content,error_code,sources');
    expect(second).toMatch(/^1,"What is Dify, ""really""\?",/);
  });

  it('neutralises in CSV what a spreadsheet would run as a formula, texts and answers alike; JSON Lines as they are', async () => {
    const texts = ['=HYPERLINK("http://evil.example","click")', '+1+2', '-1+2', '@SUM(A1)', '\tWhat is RAG?'];
    const id = await submit(stack, { name: 'formulas', texts });
    await finished(stack, id);
    const csv = await call(stack, 'GET', `/api/batch/tasks/${id}/results`, undefined, { ...ACME, Accept: 'text/csv' });
    const cells = csv.text
      .split('\r\n')
      .slice(1, -1)
      .map((row) => row.slice(row.indexOf(',') + 1));
    expect(cells.map((row) => row.slice(0, 6))).toEqual([`"'=HYP`, `'+1+2,`, `'-1+2,`, `'@SUM(`, `'\tWhat`]);
    const jsonl = await call(stack, 'GET', `/api/batch/tasks/${id}/results`, undefined, { ...ACME, Accept: 'application/x-ndjson' });
    expect(
      jsonl.text
        .trimEnd()
        .split('\n')
        .map((line) => (JSON.parse(line) as ItemResult).text),
    ).toEqual(texts);
  });

  it('answers what is a client error with 400 or 404, never 503, and logs no warning for it', async () => {
    const id = await submit(stack, { name: 'pages', texts: ['什么是 RAG？'] });
    for (const query of ['page=1e300', 'size=1e300', 'page=10001', 'page=0', 'page=1.5', 'size=abc']) {
      const { status, json } = await call(stack, 'GET', `/api/batch/tasks/${id}/results?${query}`);
      expect([query, status]).toEqual([query, 400]);
      expect(JSON.stringify(json)).toMatch(/page|size/);
    }
    for (const bad of [`${id}:texts`, `${id}:results`, 'no-such-task', 'x'.repeat(300)]) {
      for (const path of ['', '/results', '/events']) {
        const { status, json } = await call(stack, 'GET', `/api/batch/tasks/${encodeURIComponent(bad)}${path}`);
        expect([bad, path, status]).toEqual([bad, path, 404]);
        expect(json).toMatchObject({ message: 'no such task: a task id is a UUID, as POST /api/batch/tasks gave it' });
      }
      expect((await call(stack, 'DELETE', `/api/batch/tasks/${encodeURIComponent(bad)}`)).status).toBe(404);
    }
    expect(stack.logs.lines.filter((line) => /batch API/.test(line))).toEqual([]);
  });

  it('asks one conversation, item after item, with options.conversation', async () => {
    const id = await submit(stack, { name: 'talk', texts: ['什么是 RAG？', '它有什么优点？'], options: { conversation: true } });
    expect(await finished(stack, id)).toMatchObject({ status: 'completed' });
    const [first, second] = stack.dify.requests
      .filter((r) => r.path === '/v1/chat-messages' && ['什么是 RAG？', '它有什么优点？'].includes((r.body as { query: string }).query))
      .slice(-2)
      .map((r) => r.body as { user: string; conversation_id?: string });
    expect(second.user).toBe(first.user);
    expect(second.conversation_id).toBeDefined();
  });

  it('answers only the questions of a transcript', async () => {
    const transcript = 'Good morning everyone.\n关于年假\n有几天？\nI see, thanks.\nHow do I reset my password?\n我们下周再开会。';
    const id = await submit(stack, { name: 'call', transcript });
    expect(await finished(stack, id)).toMatchObject({ status: 'completed', progress: { total: 2, completed: 2 } });
    expect((await results(stack, id)).results.map((r) => r.text)).toEqual(['关于年假有几天？', 'How do I reset my password?']);
  });

  it('refuses bad input with 400 naming the problem', async () => {
    const bad = async (body: unknown) => {
      const { status, json } = await call(stack, 'POST', '/api/batch/tasks', body);
      expect(status).toBe(400);
      return JSON.stringify(json);
    };
    expect(await bad({ name: 'x', texts: [] })).toMatch(/texts must contain at least 1 elements/);
    expect(await bad({ name: 'x', texts: Array.from({ length: 10_001 }, () => 'q') })).toMatch(/texts must contain no more than 10000/);
    expect(await bad({ name: 'x', texts: ['ok', ''] })).toMatch(/texts should not be empty/);
    expect(await bad({ texts: ['ok'] })).toMatch(/name/);
    expect(await bad({ name: 'x', texts: ['ok'], options: { conversation: 'yes' } })).toMatch(/conversation must be a boolean/);
    expect(await bad({ name: 'x' })).toMatch(/either texts .* or transcript/);
    expect(await bad({ name: 'x', texts: ['ok'], transcript: 'why?' })).toMatch(/either texts .* or transcript/);
    expect(await bad({ name: 'x', transcript: 'Thanks. See you tomorrow.' })).toMatch(/the transcript has no question/);
    const tooBig = await call(stack, 'POST', '/api/batch/tasks', { name: 'x', texts: Array.from({ length: 30 }, () => 'q'.repeat(4000)) });
    expect(tooBig.status).toBe(413);
    expect(tooBig.json).toMatchObject({ statusCode: 413, message: 'request entity too large' });
    const page = await call(stack, 'GET', '/api/batch/tasks/00000000-0000-4000-8000-000000000000/results?size=1001');
    expect(page.status).toBe(400);
  });

  it("keeps a task to its principal: another's is 404, as is an unknown one; no token is 401", async () => {
    const id = await submit(stack, { name: 'mine', texts: ['什么是 RAG？'] });
    for (const path of [`/api/batch/tasks/${id}`, `/api/batch/tasks/${id}/results`]) {
      expect((await call(stack, 'GET', path, undefined, GLOBEX)).status).toBe(404);
    }
    expect((await call(stack, 'DELETE', `/api/batch/tasks/${id}`, undefined, GLOBEX)).status).toBe(404);
    expect((await call(stack, 'GET', '/api/batch/tasks/no-such-task')).status).toBe(404);
    expect((await call(stack, 'GET', `/api/batch/tasks/${id}`, undefined, {})).status).toBe(401);
    const byQuery = await fetch(`${stack.httpUrl}/api/batch/tasks/${id}?token=acme-secret-token-1`);
    expect(byQuery.status).toBe(200);

    const globexTasks = (await call(stack, 'GET', '/api/batch/tasks', undefined, GLOBEX)).json as { tasks: TaskView[] };
    expect(globexTasks.tasks.map((t) => t.task_id)).not.toContain(id);
    await finished(stack, id);
    const completed = (await call(stack, 'GET', '/api/batch/tasks?status=completed')).json as { tasks: TaskView[] };
    expect(completed.tasks.map((t) => t.task_id)).toContain(id);
    expect((await call(stack, 'GET', '/api/batch/tasks?status=bogus')).status).toBe(400);
  });
});

describe.each(QUEUES)('bounds on what one principal may queue (e2e, $queue)', ({ env }) => {
  let stack: Stack;
  beforeAll(async () => {
    // Slow answers: the tasks are still running when the next comes.
    stack = await startStack({ env: { AUTH_TOKENS: TOKENS, BATCH_MAX_OPEN_TASKS: '2', ...(await env()) }, dify: { chunkDelayMs: 40 } });
  });
  afterAll(() => stack.close());

  it('takes 10,000 texts in one body under the default body limit', async () => {
    const texts = Array.from({ length: 10_000 }, (_, i) => `Question ${i}: what does the handbook say about topic ${i}?`.padEnd(200, '.'));
    const id = await submit(stack, { name: 'large', texts });
    expect((await call(stack, 'GET', `/api/batch/tasks/${id}`)).json).toMatchObject({ progress: { total: 10_000 } });
    expect((await call(stack, 'DELETE', `/api/batch/tasks/${id}`)).json).toMatchObject({ status: 'cancelled' });
    // Its waiting items are dropped (on Redis, its jobs removed after the answer).
    await waitUntil(async () => ((await call(stack, 'GET', '/api/batch/status')).json as { waiting: number }).waiting === 0, 30_000);
  });

  it("caps a transcript's questions as texts are (10,000), with 400 and no task left pending, whatever its size", async () => {
    for (const count of [10_001, 200_000]) {
      const { status, json } = await call(stack, 'POST', '/api/batch/tasks', { name: 'call', transcript: 'Why is that?\n'.repeat(count) });
      expect([count, status]).toEqual([count, 400]);
      expect(JSON.stringify(json)).toMatch(/the transcript has more than 10000 questions, the most a task may have/);
    }
    const open = (await call(stack, 'GET', '/api/batch/tasks')).json as { tasks: TaskView[] };
    expect(open.tasks.filter((task) => task.status === 'pending' || task.status === 'running')).toEqual([]);
    const id = await submit(stack, { name: 'call', transcript: 'Why is that?\n'.repeat(10_000) });
    expect((await call(stack, 'GET', `/api/batch/tasks/${id}`)).json).toMatchObject({ progress: { total: 10_000 } });
    await call(stack, 'DELETE', `/api/batch/tasks/${id}`);
  });

  it('refuses a task over BATCH_MAX_OPEN_TASKS pending or running with 429, for that principal only', async () => {
    const first = await submit(stack, { name: 'one', texts: ['什么是 RAG？'] });
    await submit(stack, { name: 'two', texts: ['年假有几天？'] });
    const refused = await call(stack, 'POST', '/api/batch/tasks', { name: 'three', texts: ['What is Dify?'] });
    expect(refused.status).toBe(429);
    expect(JSON.stringify(refused.json)).toMatch(/2 of your tasks are pending or running.*BATCH_MAX_OPEN_TASKS/);
    expect((await call(stack, 'POST', '/api/batch/tasks', { name: 'theirs', texts: ['What is Dify?'] }, GLOBEX)).status).toBe(201);
    await call(stack, 'DELETE', `/api/batch/tasks/${first}`);
    expect((await call(stack, 'POST', '/api/batch/tasks', { name: 'three', texts: ['What is Dify?'] })).status).toBe(201);
  });
});

describe.each(QUEUES)('batch progress pushed (e2e, $queue)', ({ env }) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      env: { AUTH_TOKENS: TOKENS, BATCH_MAX_EVENT_STREAMS_PER_PRINCIPAL: '2', ...(await env()) },
      dify: { chunkDelayMs: 20 },
    });
  });
  afterAll(() => stack.close());

  const progressOf = (client: WsTestClient, id: string) => client.received.filter((m) => m.type === 'batch_progress' && m.task_id === id);

  it("sends batch_progress on the WebSocket to the task's principal's connections that asked for it, and to no other", async () => {
    const connect = (token: string, features: string) => WsTestClient.connect(`${stack.wsUrl}?token=${token}&features=${features}`);
    const [mine, mineByHello, mineWithout, theirs] = await Promise.all([
      connect('acme-secret-token-1', 'batch'),
      connect('acme-secret-token-1', ''),
      connect('acme-secret-token-1', 'sources'),
      connect('globex-secret-token-2', 'batch'),
    ]);
    mineByHello.send({ type: 'hello', features: ['batch'] });
    await mineByHello.waitFor((m) => m.type === 'ack' && m.received_type === 'hello');
    const texts = ['什么是 RAG？', '年假有几天？', 'What is Dify?', '报销流程是什么？'];
    const id = await submit(stack, { name: 'pushed', texts });
    await finished(stack, id);
    for (const client of [mine, mineByHello]) {
      await client.waitFor((m) => m.type === 'batch_progress' && m.task_id === id && m.status === 'completed');
      const pushed = progressOf(client, id);
      expect(pushed.at(-1)).toMatchObject({ progress: 100, status: 'completed', message: 'completed: 4 items done' });
      const percents = pushed.map((m) => m.progress as number);
      expect(percents).toEqual([...percents].sort((a, b) => a - b));
    }
    expect(progressOf(mineWithout, id)).toEqual([]);
    expect(progressOf(theirs, id)).toEqual([]);
    for (const client of [mine, mineByHello, mineWithout, theirs]) client.close();
  });

  it('streams the same messages as Server-Sent Events until the task ends', async () => {
    const id = await submit(stack, { name: 'events', texts: ['什么是 RAG？', 'How do I reset my password?', '年假有几天？'] });
    const response = await fetch(`${stack.httpUrl}/api/batch/tasks/${id}/events`, { headers: ACME });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    // The stream ends by itself with the task.
    const events = (await response.text())
      .split('\n\n')
      .filter((block) => block.startsWith('event: batch_progress'))
      .map((block) => JSON.parse(block.split('\ndata: ')[1]) as { task_id: string; progress: number; status: string });
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.every((e) => e.task_id === id)).toBe(true);
    expect(events.at(-1)).toMatchObject({ status: 'completed', progress: 100 });
    // An ended task: its one state, and the end.
    const again = await (await fetch(`${stack.httpUrl}/api/batch/tasks/${id}/events`, { headers: ACME })).text();
    expect(again.match(/event: batch_progress/g)).toHaveLength(1);
    expect((await fetch(`${stack.httpUrl}/api/batch/tasks/${id}/events`, { headers: GLOBEX })).status).toBe(404);
  });

  it('caps the event streams a principal has open (BATCH_MAX_EVENT_STREAMS_PER_PRINCIPAL) with 429; they end with the task', async () => {
    const texts = Array.from({ length: 40 }, (_, i) => `What does section ${i} say?`);
    const id = await submit(stack, { name: 'watched', texts });
    const open = (headers: Record<string, string>, task = id) => {
      const aborted = new AbortController();
      return fetch(`${stack.httpUrl}/api/batch/tasks/${task}/events`, { headers, signal: aborted.signal }).then((response) => ({
        response,
        close: () => aborted.abort(),
      }));
    };
    const first = await open(ACME);
    const second = await open(ACME);
    expect([first.response.status, second.response.status]).toEqual([200, 200]);
    const refused = await open(ACME);
    expect(refused.response.status).toBe(429);
    expect(await refused.response.text()).toMatch(/2 task event streams open.*BATCH_MAX_EVENT_STREAMS_PER_PRINCIPAL/);
    const their = (await call(stack, 'POST', '/api/batch/tasks', { name: 'theirs', texts: ['什么是 RAG？'] }, GLOBEX)).json;
    const theirs = await open(GLOBEX, (their as { task_id: string }).task_id);
    expect(theirs.response.status).toBe(200);
    theirs.close();

    first.close();
    // Counted out once the server has seen it go.
    let third: Awaited<ReturnType<typeof open>> | undefined;
    await waitUntil(async () => {
      const attempt = await open(ACME);
      if (attempt.response.status === 200) third = attempt;
      else await attempt.response.text();
      return third !== undefined;
    });
    await call(stack, 'DELETE', `/api/batch/tasks/${id}`);
    for (const stream of [second, third!]) expect(await stream.response.text()).toMatch(/"status":"cancelled"[^\n]*\n\n$/);
  });
});

describe.each(QUEUES)('cancelling a batch task (e2e, $queue)', ({ env }) => {
  let stack: Stack;
  beforeAll(async () => {
    // Slow answers: the task's first items are still streaming when it is cancelled.
    stack = await startStack({
      env: { BATCH_CONCURRENCY: '2', RESUME_GRACE_SECONDS: '0', ...(await env()) },
      dify: { chunkDelayMs: 50, chunkChars: 2 },
    });
  });
  afterAll(() => stack.close());

  it('stops the items in flight upstream and starts no other', async () => {
    const texts = ['什么是 RAG？', '年假有几天？', '报销流程是什么？', 'What is Dify?'];
    const id = await submit(stack, { name: 'long', texts });
    // Both streaming answer text: the service knows their Dify tasks, to stop them.
    await waitUntil(() => stack.dify.streams.length === 2 && stack.dify.streams.every((s) => s.chunksSent >= 2));
    const cancelled = await call(stack, 'DELETE', `/api/batch/tasks/${id}`, undefined, {});
    expect(cancelled.json).toMatchObject({ status: 'cancelled', progress: { total: 4, completed: 0, failed: 0 } });

    await waitUntil(() => stack.dify.streams.every((s) => s.outcome !== 'open') && stack.dify.stopCalls.length === 2);
    expect(stack.dify.streams.map((s) => s.outcome)).toEqual(['client-closed', 'client-closed']);
    expect((await call(stack, 'GET', `/api/batch/tasks/${id}`, undefined, {})).json).toMatchObject({ status: 'cancelled' });
    // BullMQ counts an item active until its worker has let go of it: waited for, not read at a moment.
    await waitUntil(async () => {
      const { waiting, active } = (await call(stack, 'GET', '/api/batch/status', undefined, {})).json as {
        waiting: number;
        active: number;
      };
      return waiting === 0 && active === 0;
    });
  });
});

describe.each(QUEUES)('retrying what Dify turns away for a while (e2e, $queue)', ({ env }) => {
  let stack: Stack;
  beforeAll(async () => {
    // The client's own quick retries off: each try below is one request.
    stack = await startStack({ env: { BATCH_ATTEMPTS: '3', BATCH_RETRY_DELAY_MS: '20', DIFY_RETRIES: '0', ...(await env()) } });
  });
  afterAll(() => stack.close());

  const tries = (text: string) =>
    stack.dify.requests.filter((r) => r.path === '/v1/chat-messages' && (r.body as { query: string }).query === text).length;
  const rateLimited = () => stack.dify.injectFault({ kind: 'http', status: 429, code: 'too_many_requests', message: 'Too many requests' });

  it('asks again after a 429 with backoff; the item is not counted failed', async () => {
    rateLimited();
    rateLimited();
    const id = await submit(stack, { name: 'busy app', texts: ['什么是 RAG？ (429 twice)'] });
    expect(await finished(stack, id)).toMatchObject({ status: 'completed', progress: { total: 1, completed: 1, failed: 0 } });
    expect(tries('什么是 RAG？ (429 twice)')).toBe(3);
    expect((await results(stack, id)).results[0].content).not.toBe('');
    const metrics = await (await fetch(`${stack.httpUrl}/metrics`)).text();
    expect(sample(metrics, 'realtime_rag_batch_items_total{outcome="retried"}')).toBe(2);
    expect(sample(metrics, 'realtime_rag_batch_items_total{outcome="answered"}')).toBe(1);
  });

  it('counts the item failed, with its code, only when its tries run out', async () => {
    for (let i = 0; i < 3; i++) rateLimited();
    const id = await submit(stack, { name: 'overloaded app', texts: ['什么是 RAG？ (429 always)'] });
    expect(await finished(stack, id)).toMatchObject({
      status: 'failed',
      progress: { total: 1, completed: 0, failed: 1 },
      error_message: 'every item failed (the first with UPSTREAM_RATE_LIMITED)',
    });
    expect(tries('什么是 RAG？ (429 always)')).toBe(3);
    expect((await results(stack, id)).results[0]).toMatchObject({ index: 0, content: '', error_code: 'UPSTREAM_RATE_LIMITED' });
  });

  it('fails an item at once for what no retry mends (a refused key)', async () => {
    stack.dify.injectFault({ kind: 'http', status: 401, code: 'unauthorized', message: 'Access token is invalid' });
    const id = await submit(stack, { name: 'bad key', texts: ['什么是 RAG？ (401)', 'What is Dify? (after 401)'] });
    expect(await finished(stack, id)).toMatchObject({ status: 'completed', progress: { total: 2, completed: 1, failed: 1 } });
    expect(tries('什么是 RAG？ (401)') + tries('What is Dify? (after 401)')).toBe(2);
    expect((await results(stack, id)).results.map((r) => r.error_code ?? 'ok').sort()).toEqual(['UPSTREAM_UNAUTHORIZED', 'ok']);
  });
});
