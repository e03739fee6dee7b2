import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueEvents } from 'bullmq';
import Redis from 'ioredis';
import { BatchKeys, ITEM_QUEUE, type ItemResult, type TaskView } from '../src/batch';
import { LocalDifyServer } from '../src/local-dify';
import { RedisServer, redisServerInstalled } from './support/redis-server';
import { startServiceProcess } from './support/service-process';
import { Stack, startStack } from './support/stack';
import { waitUntil } from './support/wait-until';

// In CI a missing redis-server is a failure, never a silent skip: .ci/run installs it.
const describeWithRedis = redisServerInstalled() || process.env.CI ? describe : describe.skip;

/** Each instance calls Dify with a key of its own: the upstream's requests say which instance asked. */
const KEYS = { a: 'app-batchInstanceA0123456789', b: 'app-batchInstanceB0123456789', c: 'app-batchInstanceC0123456789' };
const QUESTIONS = Array.from({ length: 12 }, (_, i) => `What does section ${i + 1} of the handbook say?`);

interface Instance {
  process: ChildProcess;
  httpUrl: string;
}

async function instance(redisUrl: string, difyUrl: string, key: string): Promise<Instance> {
  const service = await startServiceProcess({ REDIS_URL: redisUrl, DIFY_BASE_URL: difyUrl, DIFY_API_KEY: key, BATCH_CONCURRENCY: '2' });
  return { process: service.process, httpUrl: service.wsUrl.replace(/^ws/, 'http').replace(/\/ws\/.*$/, '') };
}

async function api<T>(instance: Instance, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${instance.httpUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

const ended = (task: TaskView) => !['pending', 'running'].includes(task.status);

describeWithRedis('batch tasks on BullMQ, two instances (e2e, service processes)', () => {
  let redis: RedisServer;
  let dify: LocalDifyServer;
  let a: Instance;
  let b: Instance;
  let c: Instance | undefined;
  let difyUrl: string;
  beforeAll(async () => {
    redis = await RedisServer.start();
    // About a second an answer: items are in flight on both instances at once.
    dify = new LocalDifyServer({ apiKeys: Object.values(KEYS), firstChunkDelayMs: 0, chunkDelayMs: 25, chunkChars: 3 });
    difyUrl = (await dify.listen()).baseUrl;
    [a, b] = await Promise.all([instance(redis.url, difyUrl, KEYS.a), instance(redis.url, difyUrl, KEYS.b)]);
  }, 60_000);
  afterAll(async () => {
    for (const instance of [a, b, c]) if (instance?.process.exitCode === null) instance.process.kill('SIGKILL');
    await dify.close();
    await redis.stop();
  });

  /** The chat requests for `texts`, each with the instance that sent it. */
  const asked = (texts: string[]) =>
    dify.requests
      .filter((r) => r.path === '/v1/chat-messages' && texts.includes((r.body as { query: string }).query))
      .map((r) => ({
        query: (r.body as { query: string }).query,
        by: Object.entries(KEYS).find(([, key]) => r.headers.authorization === `Bearer ${key}`)![0],
      }));

  const results = async (on: Instance, id: string) =>
    (await api<{ results: ItemResult[]; total: number }>(on, 'GET', `/api/batch/tasks/${id}/results?size=1000`)).results;

  /** The questions the instance is answering now (their Dify streams open). */
  const answeringOn = (by: keyof typeof KEYS) =>
    dify.streams.filter((s) => s.outcome === 'open' && asked([s.query]).some((r) => r.by === by)).map((s) => s.query);

  /** Waits for the task to end on `on`, then expects it completed with every text answered, in order. */
  async function expectEveryItemAnswered(on: Instance, id: string, texts: string[], timeoutMs: number): Promise<void> {
    await waitUntil(async () => ended(await api<TaskView>(on, 'GET', `/api/batch/tasks/${id}`)), timeoutMs);
    expect(await api<TaskView>(on, 'GET', `/api/batch/tasks/${id}`)).toMatchObject({
      status: 'completed',
      progress: { total: texts.length, completed: texts.length, failed: 0 },
    });
    const answered = await results(on, id);
    expect(answered.map((r) => r.index)).toEqual(texts.map((_, i) => i));
    expect(answered.every((r) => r.content.length > 0 && r.error_code === undefined)).toBe(true);
  }

  it('spreads a task submitted to one instance over both, each item answered once', async () => {
    const texts = QUESTIONS.map((q) => `${q} (spread)`);
    const { task_id } = await api<{ task_id: string }>(a, 'POST', '/api/batch/tasks', { name: 'spread', texts });
    // Followed on the other instance: the task is in Redis, not in A's memory.
    await expectEveryItemAnswered(b, task_id, texts, 30_000);
    const requests = asked(texts);
    expect(requests).toHaveLength(12);
    expect(requests.filter((r) => r.by === 'a').length).toBeGreaterThan(0);
    expect(requests.filter((r) => r.by === 'b').length).toBeGreaterThan(0);
    // Not durable: this Redis keeps no append-only file (see the suite on durability below).
    expect(await api(b, 'GET', '/api/batch/status')).toMatchObject({ durable: false, workers: 2, waiting: 0, active: 0 });
  }, 40_000);

  it('loses nothing when an instance is SIGKILLed mid-task: the other redoes its items', async () => {
    const texts = QUESTIONS.map((q) => `${q} (kill)`);
    const { task_id } = await api<{ task_id: string }>(b, 'POST', '/api/batch/tasks', { name: 'kill', texts });
    // A is answering when it dies.
    await waitUntil(() => answeringOn('a').length > 0, 20_000);
    const interrupted = answeringOn('a');
    a.process.kill('SIGKILL');

    // Its items' locks lapse (10 s) and B's stalled check (every 5 s) puts them back in the queue.
    await expectEveryItemAnswered(b, task_id, texts, 45_000);
    for (const query of interrupted) expect(asked([query]).map((r) => r.by)).toEqual(['a', 'b']);
  }, 70_000);

  it('hands its items back at once when an instance is stopped (SIGTERM): no wait for their locks', async () => {
    c = await instance(redis.url, difyUrl, KEYS.c);
    const texts = QUESTIONS.map((q) => `${q} (stop)`);
    const { task_id } = await api<{ task_id: string }>(b, 'POST', '/api/batch/tasks', { name: 'stop', texts });
    await waitUntil(() => answeringOn('c').length > 0, 20_000);
    const interrupted = answeringOn('c');
    // An item whose lock lapsed is found by BullMQ's stalled check, which says so: a handed-back one never is.
    const events = new QueueEvents(ITEM_QUEUE, {
      connection: { host: '127.0.0.1', port: redis.port },
      prefix: new BatchKeys('realtime-rag').bullPrefix,
    });
    const stalled: string[] = [];
    events.on('stalled', ({ jobId }) => stalled.push(jobId));
    await events.waitUntilReady();
    try {
      c.process.kill('SIGTERM');
      await waitUntil(() => interrupted.every((query) => asked([query]).some((r) => r.by === 'b')), 30_000);
      await expectEveryItemAnswered(b, task_id, texts, 30_000);
      expect(stalled).toEqual([]);
    } finally {
      await events.close();
    }
  }, 90_000);
});

describeWithRedis('a batch task while its Redis fails (e2e)', () => {
  let redis: RedisServer;
  let stack: Stack;
  let dataDir: string;
  beforeAll(async () => {
    // Persisted as a production Redis is, so a restart keeps the queue.
    dataDir = mkdtempSync(join(tmpdir(), 'batch-redis-'));
    redis = await RedisServer.start(undefined, dataDir);
    stack = await startStack({
      env: { REDIS_URL: redis.url, BATCH_CONCURRENCY: '2', BATCH_RETRY_DELAY_MS: '200' },
      dify: { chunkDelayMs: 20, chunkChars: 3 },
    });
  });
  afterAll(async () => {
    await stack.close();
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const get = (path: string) => fetch(`${stack.httpUrl}${path}`);

  it('answers 503 while Redis is down, and loses no item: the task completes once it is back', async () => {
    const texts = QUESTIONS.slice(0, 8).map((q) => `${q} (Redis down)`);
    const submitted = await fetch(`${stack.httpUrl}/api/batch/tasks`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'outage', texts }),
    });
    const { task_id } = (await submitted.json()) as { task_id: string };
    const task = async () => (await get(`/api/batch/tasks/${task_id}`)).json() as Promise<TaskView>;
    await waitUntil(async () => (await task()).progress.completed >= 2, 20_000);

    await redis.stop();
    const refused = await get(`/api/batch/tasks/${task_id}`);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'the batch queue is unavailable (its Redis): try again later',
      detail: 'the batch queue is unavailable (its Redis): try again later',
    });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await redis.run();

    await waitUntil(async () => ended(await task()), 45_000);
    expect(await task()).toMatchObject({ status: 'completed', progress: { total: 8, completed: 8, failed: 0 } });
    const { results } = (await (await get(`/api/batch/tasks/${task_id}/results`)).json()) as { results: ItemResult[] };
    expect(results.map((r) => r.index)).toEqual(texts.map((_, i) => i));
    expect(results.every((r) => r.content.length > 0)).toBe(true);
  }, 70_000);
});

describeWithRedis('batch tasks on BullMQ, what Redis keeps (e2e)', () => {
  let redis: RedisServer;
  let client: Redis;
  let stack: Stack;
  beforeAll(async () => {
    redis = await RedisServer.start();
    client = new Redis(redis.url);
    // Slow answers: tasks are still running when they are cancelled or lost.
    stack = await startStack({ env: { REDIS_URL: redis.url, BATCH_CONCURRENCY: '2' }, dify: { chunkDelayMs: 100 } });
  });
  afterAll(async () => {
    await stack.close();
    await client.quit();
    await redis.stop();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${stack.httpUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: await response.json() };
  };
  const submit = async (texts: string[]) => {
    const { status, json } = await call('POST', '/api/batch/tasks', { name: 'kept', texts });
    expect(status).toBe(201);
    return (json as { task_id: string }).task_id;
  };
  const jobsOf = async (id: string) => (await client.keys(`{realtime-rag:bull}:realtime-rag-batch:${id}-*`)).length;

  it("deletes a cancelled task's texts and waiting jobs, and leaves another task's alone", async () => {
    const texts = Array.from({ length: 2000 }, (_, i) => `What does section ${i} of the handbook say?`);
    const [cancelled, other] = [await submit(texts), await submit(texts.slice(0, 50))];
    expect(await client.llen(`realtime-rag:batch:task:{${cancelled}}:texts`)).toBe(2000);
    expect(await jobsOf(cancelled)).toBeGreaterThan(1990);

    expect((await call('DELETE', `/api/batch/tasks/${cancelled}`)).json).toMatchObject({ status: 'cancelled' });
    expect(await client.exists(`realtime-rag:batch:task:{${cancelled}}:texts`)).toBe(0);
    // At most the items that were in flight are left, each until its worker lets go of it.
    await waitUntil(async () => (await jobsOf(cancelled)) === 0, 15_000);
    expect(await client.lrange('{realtime-rag:bull}:realtime-rag-batch:wait', 0, -1)).not.toContainEqual(expect.stringMatching(cancelled));
    // The task itself stays for its TTL, as do the results of the items answered.
    expect(await client.ttl(`realtime-rag:batch:task:{${cancelled}}`)).toBeGreaterThan(0);
    expect(await client.llen(`realtime-rag:batch:task:{${other}}:texts`)).toBe(50);
    expect(await jobsOf(other)).toBeGreaterThan(40);
    await call('DELETE', `/api/batch/tasks/${other}`);
  });

  it('refuses a task Redis has no room for with 503, and leaves nothing of it pending', async () => {
    const used = Number(/used_memory:(\d+)/.exec(await client.info('memory'))![1]);
    await client.config('SET', 'maxmemory-policy', 'noeviction');
    await client.config('SET', 'maxmemory', String(used + 512 * 1024));
    try {
      const texts = Array.from({ length: 5000 }, (_, i) => `${i}: ${'what does the handbook say? '.repeat(20)}`);
      const refused = await call('POST', '/api/batch/tasks', { name: 'too much', texts });
      expect(refused).toMatchObject({ status: 503, json: { message: 'the batch queue is unavailable (its Redis): try again later' } });
    } finally {
      await client.config('SET', 'maxmemory', '0');
    }
    const { tasks } = (await call('GET', '/api/batch/tasks')).json as { tasks: TaskView[] };
    expect(tasks.filter((task) => task.status === 'pending' || task.status === 'running')).toEqual([]);
  });

  it('ends a task event stream with task_gone when the task is lost with Redis (FLUSHALL)', async () => {
    const id = await submit(Array.from({ length: 20 }, (_, i) => `What does section ${i} say?`));
    const response = await fetch(`${stack.httpUrl}/api/batch/tasks/${id}/events`);
    expect(response.status).toBe(200);
    await waitUntil(async () => (await call('GET', `/api/batch/tasks/${id}`)).status === 200);
    await client.flushall();
    // The stream ends by itself within its check interval (5 s): text() resolves.
    const events = (await response.text()).split('\n\n').filter((block) => block.startsWith('event: '));
    expect(events.at(-1)).toMatch(/^event: task_gone\ndata: \{"type":"task_gone","task_id":"[^"]+","message":"the task is gone/);
    expect(events.at(-1)).toContain(id);
    expect((await call('GET', `/api/batch/tasks/${id}`)).status).toBe(404);
  });
});

describeWithRedis('whether batch tasks are durable: Redis with and without its append-only file (e2e)', () => {
  const folder = mkdtempSync(join(tmpdir(), 'redis-aof-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it.each([
    {
      redisWith: 'no append-only file',
      aof: false,
      said: /warn Batch tasks are jobs on BullMQ in Redis.*: not durable, Redis has no append-only file/,
    },
    {
      redisWith: '--appendonly yes',
      aof: true,
      said: /log Batch tasks are jobs on BullMQ in Redis.*: durable \(Redis has its append-only file on\)/,
    },
  ])('says durable: $aof on a Redis with $redisWith, at start-up and in its status', async ({ aof, said }) => {
    const redis = await RedisServer.start(undefined, aof ? folder : undefined);
    const stack = await startStack({ env: { REDIS_URL: redis.url } });
    try {
      await waitUntil(() => stack.logs.lines.some((line) => said.test(line)));
      const status = (await (await fetch(`${stack.httpUrl}/api/batch/status`)).json()) as { durable: boolean };
      expect(status.durable).toBe(aof);
    } finally {
      await stack.close();
      await redis.stop();
    }
  });
});
