/**
 * What cancelling batch tasks costs (issue 20), measured over real HTTP against the local Dify:
 *   node --expose-gc -r ts-node/register/transpile-only scripts/batch-cancel-cost.ts
 * 1. in-process queue: heap after 50 cycles of submitting a 16 MiB task (10,000 texts) and cancelling it;
 * 2. in-process queue, then BullMQ on a redis-server of its own (when installed): 10 tasks of 10,000
 *    texts cancelled one after the other, with /health's worst latency meanwhile and the time until no
 *    item is waiting.
 */
import { RedisServer, redisServerInstalled } from '../test/support/redis-server';
import { Stack, startStack } from '../test/support/stack';

const MiB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

async function post(stack: Stack, body: string): Promise<string> {
  const response = await fetch(`${stack.httpUrl}/api/batch/tasks`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body,
  });
  if (response.status !== 201) throw new Error(`${response.status} ${await response.text()}`);
  return ((await response.json()) as { task_id: string }).task_id;
}

const cancel = async (stack: Stack, id: string) => (await fetch(`${stack.httpUrl}/api/batch/tasks/${id}`, { method: 'DELETE' })).text();

async function heapAfterCycles(stack: Stack): Promise<void> {
  if (!gc) throw new Error('run node with --expose-gc');
  const body = JSON.stringify({ name: 'big', texts: Array.from({ length: 10_000 }, (_, i) => `${i} `.padEnd(1670, 'x')) });
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 50; i++) await cancel(stack, await post(stack, body));
  gc();
  const after = process.memoryUsage().heapUsed;
  console.log(
    `in-process: body ${(body.length / MiB).toFixed(2)} MiB; heap ${(before / MiB).toFixed(1)} MiB, after 50 submit/cancel cycles ${(after / MiB).toFixed(1)} MiB: ${((after - before) / 50 / MiB).toFixed(2)} MiB a cycle`,
  );
}

async function cancelMany(stack: Stack, queue: string): Promise<void> {
  const body = JSON.stringify({ name: 'many', texts: Array.from({ length: 10_000 }, (_, i) => `question ${i}?`) });
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) ids.push(await post(stack, body));
  let healthMax = 0;
  let probing = true;
  const probe = (async () => {
    while (probing) {
      const start = performance.now();
      await (await fetch(`${stack.httpUrl}/health`)).text();
      healthMax = Math.max(healthMax, performance.now() - start);
    }
  })();
  const start = performance.now();
  const deletes: number[] = [];
  for (const id of ids) {
    const at = performance.now();
    await cancel(stack, id);
    deletes.push(performance.now() - at);
  }
  while (((await (await fetch(`${stack.httpUrl}/api/batch/status`)).json()) as { waiting: number }).waiting > 0)
    await new Promise((resolve) => setTimeout(resolve, 100));
  const drained = performance.now() - start;
  probing = false;
  await probe;
  console.log(
    `${queue}: DELETE of 10 tasks of 10,000 texts: ${deletes.reduce((a, b) => a + b, 0).toFixed(0)} ms in all, the slowest ${Math.max(...deletes).toFixed(0)} ms; no item waiting after ${drained.toFixed(0)} ms; /health at worst ${healthMax.toFixed(0)} ms`,
  );
}

async function main(): Promise<void> {
  // Slow answers: the tasks are running when cancelled.
  const dify = { chunkDelayMs: 200 };
  const inProcess = await startStack({ env: { BATCH_MAX_OPEN_TASKS: '20' }, dify });
  await heapAfterCycles(inProcess);
  await cancelMany(inProcess, 'in-process');
  await inProcess.close();
  if (!redisServerInstalled()) return;
  const redis = await RedisServer.start();
  const onRedis = await startStack({ env: { REDIS_URL: redis.url, BATCH_MAX_OPEN_TASKS: '20' }, dify });
  await cancelMany(onRedis, 'BullMQ on Redis');
  await onRedis.close();
  await redis.stop();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
