import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3 } from 'openapi-types';
import { batchQueues } from './support/batch-queues';
import { Stack, startStack } from './support/stack';
import { waitUntil } from './support/wait-until';
import { openApiAjv } from './support/openapi-ajv';

// The replaced Python service's batch clients (its README's and API reference's requests: no token,
// options for its providers) against this service, over real HTTP: every field they read is there,
// with its type and meaning, beside today's fields.

const { queues: QUEUES, withRedis, redisUrl } = batchQueues();

/** The options of the replaced service's API reference: for its providers, none of them this service's. */
const PYTHON_OPTIONS = { provider: 'context', timeout: 30, max_concurrent: 5, priority: 'normal' };

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A request as the old clients made it: JSON in, JSON out, no token. */
async function call(stack: Stack, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const response = await fetch(`${stack.httpUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: response.status, json: (await response.json()) as Json };
}

async function submit(stack: Stack, body: Json): Promise<string> {
  const { status, json } = await call(stack, 'POST', '/api/batch/tasks', body);
  expect({ status, json }).toEqual({
    status: 201,
    json: { task_id: expect.any(String), status: expect.stringMatching(/^(pending|running)$/), created_at: isoTime },
  });
  return json.task_id as string;
}

/** The old clients' loop: GET the task until its status is an end one. */
async function ended(stack: Stack, id: string): Promise<Json> {
  let task: Json = {};
  await waitUntil(async () => {
    task = (await call(stack, 'GET', `/api/batch/tasks/${id}`)).json;
    return ['completed', 'failed', 'cancelled'].includes(task.status as string);
  }, 20_000);
  return task;
}

const isoTime = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);

/** Every field of the replaced service's task (`BatchTask.to_dict`), with its type. */
function expectPythonTask(task: Json): void {
  expect(task).toEqual(
    expect.objectContaining({
      task_id: expect.any(String),
      name: expect.any(String),
      status: expect.stringMatching(/^(pending|running|completed|failed|cancelled)$/),
      progress: {
        total: expect.any(Number),
        completed: expect.any(Number),
        failed: expect.any(Number),
        percentage: expect.any(Number),
      },
      created_at: isoTime,
      options: expect.any(Object),
    }),
  );
  expect(task).toHaveProperty('description');
  for (const field of ['started_at', 'completed_at', 'error_message']) expect(task).toHaveProperty(field);
  const { total, completed, failed, percentage } = task.progress as Record<string, number>;
  expect(percentage).toBeCloseTo(total === 0 ? 0 : ((completed + failed) / total) * 100);
}

describe.each(QUEUES)("the replaced Python service's batch clients (e2e, $queue)", ({ env }) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      env: { BATCH_CONCURRENCY: '2', BATCH_MAX_OPEN_TASKS: '5', DIFY_RETRIES: '0', LOG_LEVEL: 'debug', ...(await env()) },
    });
  });
  afterAll(() => stack.close());

  it('takes the old options, keeps them, shows them with progress.percentage, and logs the keys it does not act on', async () => {
    const id = await submit(stack, { name: '批量问答任务', texts: ['什么是 RAG？', '年假有几天？'], options: PYTHON_OPTIONS });
    const task = await ended(stack, id);
    expectPythonTask(task);
    expect(task).toMatchObject({
      task_id: id,
      name: '批量问答任务',
      description: null,
      status: 'completed',
      progress: { total: 2, completed: 2, failed: 0, percentage: 100 },
      completed_at: isoTime,
      error_message: null,
      options: PYTHON_OPTIONS,
    });
    expect(stack.logs.lines.join('\n')).toContain('batch task options kept but not acted on: provider, timeout, max_concurrent, priority');
    // No options at all: {} as the replaced service showed.
    expect((await ended(stack, await submit(stack, { name: '测试任务', texts: ['什么是 RAG？'] }))).options).toEqual({});
  });

  it('acts on the known option (conversation) as today, kept beside the others', async () => {
    const options = { conversation: true, provider: 'context' };
    const id = await submit(stack, { name: 'talk', texts: ['什么是 RAG？', '它有什么优点？'], options });
    expect(await ended(stack, id)).toMatchObject({ status: 'completed', options });
    const asked = stack.dify.requests
      .filter((r) => r.path === '/v1/chat-messages' && ['什么是 RAG？', '它有什么优点？'].includes((r.body as Json).query as string))
      .slice(-2)
      .map((r) => r.body as Json);
    expect(asked[1].conversation_id).toEqual(expect.any(String));
    expect(asked[1].conversation_id).not.toBe('');
  });

  it('pages the results with content, metadata, sources and usage; a failed item has metadata.error', async () => {
    stack.dify.injectFault({ kind: 'http', status: 401, code: 'unauthorized', message: 'Access token is invalid' });
    const id = await submit(stack, { name: 'one fails', texts: ['What is Dify?'], options: {} });
    expect(await ended(stack, id)).toMatchObject({ status: 'failed', progress: { total: 1, completed: 0, failed: 1, percentage: 100 } });
    const failed = (await call(stack, 'GET', `/api/batch/tasks/${id}/results?page=1&size=100`)).json;
    expect((failed.results as Json[])[0]).toMatchObject({
      content: '',
      metadata: { error: true, error_code: 'UPSTREAM_UNAUTHORIZED', provider: 'DifyProvider' },
      error_code: 'UPSTREAM_UNAUTHORIZED',
    });

    const texts = ['什么是 RAG？', 'How do I reset my password?', '年假有几天？'];
    const answered = await submit(stack, { name: 'faq', texts });
    await ended(stack, answered);
    const page = (await call(stack, 'GET', `/api/batch/tasks/${answered}/results?page=1&size=100`)).json;
    expect(page).toMatchObject({ task_id: answered, total: 3, page: 1, size: 100 });
    for (const result of page.results as Json[]) {
      expect(result).toMatchObject({ metadata: { provider: 'DifyProvider' } });
      expect([typeof result.content, Array.isArray(result.sources)]).toEqual(['string', true]);
      const { tokens, prompt_tokens, completion_tokens } = result.usage as Record<string, unknown>;
      expect([tokens, prompt_tokens, completion_tokens].map((count) => typeof count)).toEqual(['number', 'number', 'number']);
      expect(result.content).not.toBe('');
      expect(result.metadata).not.toHaveProperty('error');
      for (const source of result.sources as Json[])
        expect(source).toEqual(expect.objectContaining({ title: expect.any(String), content: expect.any(String) }));
    }
    expect((page.results as Json[]).some((result) => (result.sources as Json[]).length > 0)).toBe(true);
    const second = (await call(stack, 'GET', `/api/batch/tasks/${answered}/results?page=2&size=2`)).json;
    expect(second).toMatchObject({ total: 3, page: 2, size: 2, results: [{ index: 2, text: texts[2] }] });
  });

  it('lists the tasks with their total, of one status or all', async () => {
    const all = (await call(stack, 'GET', '/api/batch/tasks')).json;
    expect(all.total).toBe((all.tasks as Json[]).length);
    expect(all.total).toBeGreaterThan(0);
    (all.tasks as Json[]).forEach(expectPythonTask);
    const completed = (await call(stack, 'GET', '/api/batch/tasks?status=completed')).json;
    expect(completed.total).toBe((completed.tasks as Json[]).length);
    expect((completed.tasks as Json[]).every((task) => task.status === 'completed')).toBe(true);
  });

  it('cancels a running task with its message; 404 with detail when nothing is left to cancel', async () => {
    stack.dify.injectFault({ kind: 'hang' });
    const id = await submit(stack, { name: 'long', texts: ['什么是 RAG？ (hangs)'] });
    await waitUntil(async () => (await call(stack, 'GET', `/api/batch/tasks/${id}`)).json.status === 'running');
    const status = (await call(stack, 'GET', '/api/batch/status')).json;
    const queue = status.queue as Record<string, number>;
    expect(queue).toMatchObject({ available_slots: 4, max_size: 5 });
    expect(queue.running).toBeGreaterThanOrEqual(1);

    const cancelled = await call(stack, 'DELETE', `/api/batch/tasks/${id}`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.json).toMatchObject({ message: 'Task cancelled successfully', task_id: id, status: 'cancelled' });
    expectPythonTask(cancelled.json);

    const again = await call(stack, 'DELETE', `/api/batch/tasks/${id}`);
    expect(again).toEqual({
      status: 404,
      json: expect.objectContaining({
        detail: '任务不存在或无法取消',
        statusCode: 404,
        error: 'Not Found',
        task: expect.objectContaining({ status: 'cancelled' }),
      }),
    });
    const done = await submit(stack, { name: 'short', texts: ['什么是 RAG？'] });
    await ended(stack, done);
    const late = await call(stack, 'DELETE', `/api/batch/tasks/${done}`);
    expect(late).toMatchObject({
      status: 404,
      json: { detail: '任务不存在或无法取消', message: 'the task had ended (completed): nothing to cancel' },
    });
    expect((await call(stack, 'GET', `/api/batch/tasks/${done}`)).json.status).toBe('completed');
  });

  it("answers the processor's status as it did, beside today's fields", async () => {
    const { status, json } = await call(stack, 'GET', '/api/batch/status');
    expect(status).toBe(200);
    expect(json).toMatchObject({ is_running: true, max_concurrent: 2, concurrency: 2, workers: 1 });
    const { tasks, queue } = json as { tasks: Record<string, number>; queue: Record<string, number> };
    expect(queue).toEqual({
      total_tasks: Object.values(tasks).reduce((a, b) => a + b, 0),
      pending: tasks.pending,
      running: tasks.running,
      max_size: 5,
      available_slots: 5 - tasks.pending - tasks.running,
    });
  });

  it('says why in detail: the replaced text for a missing task, a FastAPI-shaped list for invalid input', async () => {
    const missing = '6f1c1f8e-0000-4000-8000-000000000000';
    expect(await call(stack, 'GET', `/api/batch/tasks/${missing}`)).toEqual({
      status: 404,
      json: { statusCode: 404, error: 'Not Found', message: 'no such task', detail: '任务不存在' },
    });
    expect((await call(stack, 'GET', `/api/batch/tasks/${missing}/results`)).json.detail).toBe('任务不存在或结果不可用');
    expect((await call(stack, 'DELETE', `/api/batch/tasks/${missing}`)).json.detail).toBe('任务不存在或无法取消');

    const empty = await call(stack, 'POST', '/api/batch/tasks', { name: 'x', texts: [] });
    expect(empty.status).toBe(400);
    expect(empty.json).toMatchObject({ statusCode: 400, error: 'Bad Request', message: ['texts must contain at least 1 elements'] });
    expect(empty.json.detail).toEqual([{ type: 'too_short', loc: ['body', 'texts'], msg: 'texts must contain at least 1 elements' }]);

    const noName = await call(stack, 'POST', '/api/batch/tasks', { texts: ['什么是 RAG？'], options: { conversation: 'yes' }, extra: 1 });
    expect(noName.status).toBe(400);
    expect(noName.json.detail).toEqual(
      expect.arrayContaining([
        { type: 'missing', loc: ['body', 'name'], msg: 'Field required' },
        { type: 'knownOptionTypes', loc: ['body', 'options'], msg: 'options: conversation must be a boolean' },
        { type: 'extra_forbidden', loc: ['body', 'extra'], msg: 'property extra should not exist' },
      ]),
    );
    expect(noName.json.message).toEqual(expect.arrayContaining(['property extra should not exist']));

    const badPage = await call(stack, 'GET', `/api/batch/tasks/${missing}/results?page=0`);
    expect(badPage.status).toBe(400);
    expect(badPage.json.detail).toEqual([{ type: 'greater_than_equal', loc: ['query', 'page'], msg: 'page must not be less than 1' }]);

    const huge = await call(stack, 'POST', '/api/batch/tasks', { name: 'x', texts: ['q'], options: { notes: 'n'.repeat(16_384) } });
    expect(huge).toMatchObject({
      status: 400,
      json: { detail: [{ type: 'too_long', loc: ['body', 'options'], msg: expect.stringContaining('BATCH_MAX_OPTIONS_BYTES') }] },
    });

    const neither = await call(stack, 'POST', '/api/batch/tasks', { name: 'x' });
    expect(neither.json).toMatchObject({ statusCode: 400, detail: neither.json.message });
    expect(typeof neither.json.detail).toBe('string');
  });

  it('answers as /docs describes, old fields and new', async () => {
    const schema = await documentedSchema(stack);
    const expectDocumented = async (method: 'get' | 'post' | 'delete', path: string, status: number, url: string, body?: Json) => {
      const answer = await call(stack, method.toUpperCase(), url, body);
      expect(answer.status).toBe(status);
      const validate = schema(method, path, status);
      expect({ url, errors: validate(answer.json) ? null : validate.errors }).toEqual({ url, errors: null });
      return answer.json;
    };
    const { task_id: id } = await expectDocumented('post', '/api/batch/tasks', 201, '/api/batch/tasks', {
      name: 'documented',
      texts: ['什么是 RAG？'],
      options: PYTHON_OPTIONS,
    });
    await ended(stack, id as string);
    await expectDocumented('get', '/api/batch/tasks/{id}', 200, `/api/batch/tasks/${id}`);
    await expectDocumented('get', '/api/batch/tasks', 200, '/api/batch/tasks');
    await expectDocumented('get', '/api/batch/tasks/{id}/results', 200, `/api/batch/tasks/${id}/results`);
    await expectDocumented('get', '/api/batch/status', 200, '/api/batch/status');
    await expectDocumented('delete', '/api/batch/tasks/{id}', 404, `/api/batch/tasks/${id}`);
    await expectDocumented('post', '/api/batch/tasks', 400, '/api/batch/tasks', { name: 'x', texts: [] });
    stack.dify.injectFault({ kind: 'hang' });
    const running = await submit(stack, { name: 'to cancel', texts: ['什么是 RAG？ (hangs)'] });
    await expectDocumented('delete', '/api/batch/tasks/{id}', 200, `/api/batch/tasks/${running}`);
  });
});

/** The schema /docs gives the JSON answer of `method path` with `status`. */
async function documentedSchema(stack: Stack) {
  const document = (await (await fetch(`${stack.httpUrl}/docs-json`)).json()) as OpenAPIV3.Document;
  const dereferenced = (await SwaggerParser.dereference(document as never)) as OpenAPIV3.Document;
  const ajv = openApiAjv();
  return (method: 'get' | 'post' | 'delete', path: string, status: number) => {
    const response = dereferenced.paths[path]?.[method]?.responses[String(status)] as OpenAPIV3.ResponseObject | undefined;
    const schema = response?.content?.['application/json']?.schema;
    expect({ method, path, status, documented: schema !== undefined }).toEqual({ method, path, status, documented: true });
    return ajv.compile(schema!);
  };
}

const describeWithRedis = withRedis ? describe : describe.skip;

describeWithRedis('the old fields from the Redis task store (e2e, two instances)', () => {
  it('shows the options and percentage of a task submitted to another instance', async () => {
    const [a, b] = [await startStack({ env: { REDIS_URL: redisUrl() } }), await startStack({ env: { REDIS_URL: redisUrl() } })];
    try {
      const id = await submit(a, { name: 'shared', texts: ['什么是 RAG？', '年假有几天？'], options: PYTHON_OPTIONS });
      const task = await ended(b, id);
      expectPythonTask(task);
      expect(task).toMatchObject({ status: 'completed', options: PYTHON_OPTIONS, progress: { percentage: 100 } });
      const listed = (await call(b, 'GET', '/api/batch/tasks')).json;
      expect((listed.tasks as Json[]).find((t) => t.task_id === id)?.options).toEqual(PYTHON_OPTIONS);
      const results = (await call(b, 'GET', `/api/batch/tasks/${id}/results`)).json;
      expect(results.results).toHaveLength(2);
      for (const result of results.results as Json[]) expect(result.metadata).toEqual({ provider: 'DifyProvider' });
    } finally {
      await a.close();
      await b.close();
    }
  });
});
