/**
 * The noisy neighbour: one principal saturating the service (live: many sockets each holding an
 * answer that never ends and asking again on SERVER_BUSY; batch: a large task), while another asks
 * question after question on one socket and submits a 5-item task. The quiet one's first-chunk
 * p50/p99, error rate and small task's time, beside the same with the noisy one away, and with the
 * per-principal share lifted (MAX_CONCURRENT_ANSWERS_PER_PRINCIPAL = MAX_CONCURRENT_ANSWERS,
 * BATCH_MAX_SHARE=1: about what one principal could take before the fair share).
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { LocalDifyServer } from '../../src/local-dify';
import { BatchApi, isFinished } from '../client/batch-api';
import { closeAll, connectMany, QUESTION } from './clients';
import { Measured, Placement, startService } from './processes';
import { round, stats, Stats } from './stats';

const KEY = 'app-bench-neighbour';
const NOISY = 'noisy-bench-token-0123456789';
const QUIET = 'quiet-bench-token-0123456789';
/** The noisy principal's live questions: the local Dify streams them until they are stopped. */
const HOLD = '[hold]';
const SMALL_TASK = [
  'What is RAG?',
  'What is Dify?',
  'How many days of annual leave?',
  'How do I claim expenses?',
  'How do I reset my password?',
];

export interface NeighbourSize {
  /** MAX_CONCURRENT_ANSWERS of the service; the noisy principal has more sockets than that. */
  slots: number;
  noisySockets: number;
  noisyItems: number;
  quietQuestions: number;
}

export interface NeighbourRun {
  quietFirstChunkMs: Stats;
  /** The quiet principal's questions answered with an error (SERVER_BUSY), of `quietFirstChunkMs.n + quietErrors`. */
  quietErrors: number;
  quietErrorRate: number;
  /** From the POST of the quiet principal's 5-item task to its end, and how many of its items failed. */
  smallTaskSeconds: number;
  smallTaskFailed: number;
  /** Answers the noisy principal held at the end, and the SERVER_BUSY it was told. */
  noisyHeld: number;
  noisyBusy: number;
}

type Outcome = { firstMs: number } | { error: string };

/** Asks on `socket`; resolves at an error reply, or with the first chunk's time at the answer's end (`whole`) or first chunk. */
function ask(socket: WebSocket, question: string, sessionId: string, whole: boolean): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    let firstMs = 0;
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse((data as Buffer).toString()) as { type: string; code?: string; final?: boolean; finish_reason?: string };
      // A failed answer ends with an empty final chunk, then the error that says why.
      if (message.type === 'answer' && message.finish_reason === 'error') return;
      if (message.type !== 'answer' && message.type !== 'error') return;
      firstMs ||= performance.now() - started;
      if (message.type === 'answer' && whole && !message.final) return;
      socket.off('message', onMessage);
      resolve(message.type === 'error' ? { error: message.code ?? '?' } : { firstMs });
    };
    socket.on('message', onMessage);
    socket.send(JSON.stringify({ type: 'asr_chunk', text: question, is_final: true, session_id: sessionId }));
  });
}

/** Until `stop`: each socket holds an endless answer, asking again a moment after each SERVER_BUSY. */
async function saturate(sockets: WebSocket[], stop: AbortSignal, counts: { held: number; busy: number }): Promise<void> {
  await Promise.all(
    sockets.map(async (socket, i) => {
      for (let tries = 0; !stop.aborted; tries++) {
        const outcome = await ask(socket, `${QUESTION} ${HOLD}`, `noisy-${i}-${tries}`, false);
        if ('firstMs' in outcome) return void counts.held++;
        counts.busy++;
        await sleep(100);
      }
    }),
  );
}

/** Polls the task until it ends; a poll the saturated service drops is tried again. */
async function untilFinished(api: BatchApi, id: string): Promise<{ failed: number }> {
  for (let dropped = 0; ; await sleep(50)) {
    const task = await api.task(id).catch((error: Error) => {
      if (++dropped > 20) throw error;
      return undefined;
    });
    if (task && isFinished(task)) return { failed: task.progress.failed };
  }
}

async function run(service: Measured, size: NeighbourSize, noisy: boolean): Promise<NeighbourRun> {
  const httpUrl = service.url.replace(/^ws/, 'http').replace(/\/ws\/.*$/, '');
  const stop = new AbortController();
  const counts = { held: 0, busy: 0 };
  const noisyApi = new BatchApi(httpUrl, NOISY);
  const noisySockets = noisy ? await connectMany(`${service.url}?token=${NOISY}`, size.noisySockets) : [];
  const saturating = saturate(noisySockets, stop.signal, counts);
  const large = noisy
    ? await noisyApi.submit({ name: 'large', texts: Array.from({ length: size.noisyItems }, (_, i) => `Item ${i}: ${QUESTION}`) })
    : undefined;
  // Saturated: every noisy socket is answering or has been told SERVER_BUSY.
  while (noisy && counts.held + counts.busy < size.noisySockets) await sleep(50);

  const quietApi = new BatchApi(httpUrl, QUIET);
  const started = performance.now();
  const small = await quietApi.submit({ name: 'small', texts: SMALL_TASK });
  const smallDone = untilFinished(quietApi, small.task_id).then(({ failed }) => ({
    failed,
    seconds: (performance.now() - started) / 1000,
  }));
  const [quiet] = await connectMany(`${service.url}?token=${QUIET}`, 1);
  const times: number[] = [];
  let errors = 0;
  for (let i = 0; i < size.quietQuestions; i++) {
    const outcome = await ask(quiet, QUESTION, 'quiet', true);
    if ('firstMs' in outcome) times.push(outcome.firstMs);
    else errors++;
  }
  const { seconds, failed } = await smallDone;
  stop.abort();
  await saturating;
  if (large) await noisyApi.cancel(large.task_id).catch(() => undefined);
  await closeAll([quiet, ...noisySockets]);
  return {
    quietFirstChunkMs: stats(times),
    quietErrors: errors,
    quietErrorRate: round(errors / size.quietQuestions, 3),
    smallTaskSeconds: round(seconds, 2),
    smallTaskFailed: failed,
    noisyHeld: counts.held,
    noisyBusy: counts.busy,
  };
}

/** The three runs, each against a service of its own with MAX_CONCURRENT_ANSWERS=`size.slots` and the batch defaults. */
export async function neighbourFigures(placement: Placement, size: NeighbourSize): Promise<Record<string, NeighbourRun>> {
  // Paced like a model: the first token after 100 ms, a chunk every 20 ms (answers take a second or two).
  const dify = new LocalDifyServer({ apiKeys: [KEY], firstChunkDelayMs: 100, chunkDelayMs: 20, chunkChars: 6, record: false });
  dify.injectQueryFault(HOLD, { kind: 'endless' });
  const { baseUrl } = await dify.listen();
  const env = { AUTH_TOKENS: `noisy:${NOISY},quiet:${QUIET}`, MAX_CONCURRENT_ANSWERS: String(size.slots), SHUTDOWN_GRACE_MS: '1000' };
  const runs: Array<[string, boolean, Record<string, string>]> = [
    ['alone', false, {}],
    ['with neighbour', true, {}],
    ['with neighbour, shares lifted', true, { MAX_CONCURRENT_ANSWERS_PER_PRINCIPAL: String(size.slots), BATCH_MAX_SHARE: '1' }],
  ];
  const figures: Record<string, NeighbourRun> = {};
  try {
    for (const [name, noisy, lifted] of runs) {
      console.log(`neighbour: ${name}`);
      const service = await startService(baseUrl, KEY, placement, { ...env, ...lifted }, 'neighbour');
      try {
        figures[name] = await run(service, size, noisy);
        console.log(JSON.stringify(figures[name]));
      } finally {
        service.stop();
      }
    }
    return figures;
  } finally {
    await dify.close();
  }
}

export function printNeighbour(figures: Record<string, NeighbourRun>): void {
  const row = (label: string, ...cells: (string | number)[]) =>
    console.log(`  ${label.padEnd(34)}${cells.map((c) => String(c).padStart(12)).join('')}`);
  console.log("the quiet principal's first answer chunk (ms), errors, and 5-item task (s), beside a noisy one");
  row('', 'p50', 'p99', 'errors', 'task s', 'task failed', 'noisy held', 'noisy busy');
  for (const [name, f] of Object.entries(figures))
    row(
      name,
      f.quietFirstChunkMs.p50,
      f.quietFirstChunkMs.p99,
      `${f.quietErrors}`,
      f.smallTaskSeconds,
      f.smallTaskFailed,
      f.noisyHeld,
      f.noisyBusy,
    );
}

/** Questions of the quiet principal answered with an error, or items of its task failed, while the shares held. */
export function neighbourFailures(figures: Record<string, NeighbourRun>): number {
  return ['alone', 'with neighbour'].reduce(
    (sum, name) => sum + (figures[name]?.quietErrors ?? 0) + (figures[name]?.smallTaskFailed ?? 0),
    0,
  );
}
