/**
 * Batch throughput: one task of N questions through the HTTP batch API, submitted to the first
 * instance, timed from the POST to `completed`, against a fast local Dify (first token at once, a
 * chunk every 2 ms). On the in-process queue, on BullMQ with one instance, and with two instances
 * sharing the queue (each calls Dify with a key of its own, so the upstream tells who answered what).
 */
import { once } from 'node:events';
import type { TaskView } from '../../src/batch';
import { LocalDifyServer } from '../../src/local-dify';
import { RedisServer, redisServerInstalled } from '../../test/support/redis-server';
import { BatchApi, isFinished } from '../client/batch-api';
import { Measured, Placement, startService } from './processes';

const KEYS = ['app-benchBatchInstance1', 'app-benchBatchInstance2'];
/** Per instance: Dify answers in a few hundred ms, so the queue's concurrency is what throughput rides on. */
const CONCURRENCY = 8;

export interface BatchFigure {
  items: number;
  seconds: number;
  answersPerSecond: number;
  /** Items answered (not failed), and how many each instance answered. */
  answered: number;
  byInstance: number[];
}

const httpUrl = (service: Measured) => service.url.replace(/^ws/, 'http').replace(/\/ws\/.*$/, '');

/** Submits `items` questions to the first instance and waits for the task to end. */
async function timeTask(instances: Measured[], dify: LocalDifyServer, items: number, label: string): Promise<BatchFigure> {
  const api = new BatchApi(httpUrl(instances[0]));
  const texts = Array.from({ length: items }, (_, i) => `${label} question ${i}: what is RAG?`);
  const from = dify.requests.length;
  const started = performance.now();
  const { task_id } = await api.submit({ name: label, texts });
  let task: TaskView;
  do {
    await new Promise((resolve) => setTimeout(resolve, 20));
    task = await api.task(task_id);
  } while (!isFinished(task));
  const seconds = (performance.now() - started) / 1000;
  const chats = dify.requests.slice(from).filter((r) => r.path === '/v1/chat-messages');
  return {
    items,
    seconds: Math.round(seconds * 100) / 100,
    answersPerSecond: Math.round(task.progress.completed / seconds),
    answered: task.progress.completed,
    byInstance: instances.map((_, i) => chats.filter((r) => r.headers.authorization === `Bearer ${KEYS[i]}`).length),
  };
}

/**
 * The three set-ups, each warmed up with a small task first. A Redis of its own: another instance on
 * the same Redis (the main run's service with REDIS_URL) would take items from the queue too.
 */
export async function batchFigures(placement: Placement, items: number): Promise<Record<string, BatchFigure>> {
  const redis = redisServerInstalled() ? await RedisServer.start() : undefined;
  if (!redis) console.warn('redis-server is not installed: no batch figures for BullMQ');
  const dify = new LocalDifyServer({ apiKeys: KEYS, firstChunkDelayMs: 0, chunkDelayMs: 2, chunkChars: 6, record: true });
  const difyUrl = (await dify.listen()).baseUrl;
  const env = { BATCH_CONCURRENCY: String(CONCURRENCY), BATCH_RATE_PER_SECOND: '100000', LOG_LEVEL: 'error' };
  const figures: Record<string, BatchFigure> = {};
  const measure = async (name: string, instances: Measured[]) => {
    try {
      await timeTask(instances, dify, 2 * CONCURRENCY * instances.length, `${name} warm-up`);
      figures[name] = await timeTask(instances, dify, items, name);
    } finally {
      // Gone before the next set-up starts, so none of them takes its items.
      await Promise.all(
        instances.map((instance) => {
          instance.stop();
          return once(instance.process, 'exit');
        }),
      );
    }
  };
  try {
    await measure('in-process, 1 instance', [await startService(difyUrl, KEYS[0], placement, env, 'batchMemory')]);
    if (redis) {
      const shared = { ...env, REDIS_URL: redis.url };
      await measure('BullMQ, 1 instance', [await startService(difyUrl, KEYS[0], placement, shared, 'batchRedis1')]);
      await measure('BullMQ, 2 instances', [
        await startService(difyUrl, KEYS[0], placement, shared, 'batchRedisA'),
        await startService(difyUrl, KEYS[1], placement, shared, 'batchRedisB'),
      ]);
    }
    return figures;
  } finally {
    await Promise.all([dify.close(), redis?.stop()]);
  }
}

/** Items lost: a task that ended with fewer answered than it had. */
export function batchLosses(figures: Record<string, BatchFigure>): number {
  return Object.values(figures).reduce((sum, f) => sum + f.items - f.answered, 0);
}

export function printBatch(figures: Record<string, BatchFigure>): void {
  const [first] = Object.values(figures);
  if (!first) return;
  console.log(`batch throughput (one task of ${first.items} questions, BATCH_CONCURRENCY ${CONCURRENCY} per instance)`);
  const row = (label: string, ...cells: (string | number)[]) =>
    console.log(`  ${label.padEnd(34)}${cells.map((c) => String(c).padStart(12)).join('')}`);
  row('', 'answers/s', 'seconds', 'answered', 'by instance');
  for (const [name, f] of Object.entries(figures)) row(name, f.answersPerSecond, f.seconds, f.answered, f.byInstance.join(' / '));
}
