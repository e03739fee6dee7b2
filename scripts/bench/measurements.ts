/** One function per figure the benchmark reports; each takes the processes it measures. */
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { Answer, ask, closeAll, connect, connectMany, directFirstChunk } from './clients';
import { Measured } from './processes';
import { percentile, round, stats } from './stats';

/** Rounds run and thrown away first, so the figures are of warm (JIT-compiled) code, not start-up. */
const WARM_UP_ROUNDS = 20;

/** First answer chunk, one question at a time, rounds interleaved so machine drift hits all alike. */
export async function firstChunkLatency(difyUrl: string, key: string, targets: Measured[], rounds: number) {
  const sockets = await Promise.all(targets.map((target) => connect(target.url)));
  const all = { direct: [] as number[], through: targets.map(() => [] as number[]) };
  for (let round = 0; round < WARM_UP_ROUNDS + rounds; round++) {
    all.direct.push(await directFirstChunk(difyUrl, key));
    for (const [i, socket] of sockets.entries()) all.through[i].push((await ask(socket)).firstMs);
  }
  await closeAll(sockets);
  const direct = all.direct.slice(WARM_UP_ROUNDS);
  const through = all.through.map((values) => values.slice(WARM_UP_ROUNDS));
  const figures: Record<string, ReturnType<typeof stats>> = { direct: stats(direct) };
  for (const [i, target] of targets.entries()) {
    figures[target.name] = stats(through[i]);
    figures[`addedBy${target.name[0].toUpperCase()}${target.name.slice(1)}`] = stats(through[i].map((v, r) => v - direct[r]));
  }
  return figures;
}

/** `count` sockets, connected first, then all asking at once; every answer checked against Dify's. */
export async function burst(target: Measured, count: number, expected: string) {
  const sockets = await connectMany(target.url, count);
  const deadline = sleep(60_000, undefined, { ref: false });
  const answers = await Promise.all(sockets.map((socket) => Promise.race([ask(socket), deadline])));
  await closeAll(sockets);
  const done = answers.filter((a): a is Answer => a !== undefined);
  return {
    sockets: count,
    firstChunkMs: stats(done.map((a) => a.firstMs)),
    completionMs: stats(done.map((a) => a.doneMs)),
    lost: count - done.length + done.filter((a) => a.text !== expected).length,
    disordered: done.filter((a) => !a.ordered).length,
  };
}

/** How a throughput run goes beyond its load, and what else it gathers. */
export interface ThroughputOptions {
  /**
   * Resolves once the process has done what it still does for the run after the clients have their
   * answers (writes to Redis behind them): that CPU counts too.
   */
  settled?: () => Promise<void>;
  /**
   * The sockets' first questions spread evenly over this long, as independent speakers ask; without
   * it they all ask at once, and, answers being alike, go on asking in step: every question in a
   * burst, each waiting for the others' work.
   */
  staggerMs?: number;
  /** Gets each answer's first-chunk time (ms from asking). */
  firstChunks?: number[];
}

/**
 * Upstream chunks relayed per second by a process held to one core, with `concurrency` sockets
 * asking back to back; also per CPU-second it used, which does not depend on who the bottleneck was.
 */
export async function throughput(
  target: Measured,
  concurrency: number,
  seconds: number,
  chunksPerAnswer: number,
  { settled, staggerMs = 0, firstChunks }: ThroughputOptions = {},
) {
  const sockets = await connectMany(target.url, concurrency);
  const cpuBefore = target.cpuSeconds();
  const started = performance.now();
  const until = started + seconds * 1000;
  let answers = 0;
  await Promise.all(
    sockets.map(async (socket, i) => {
      if (staggerMs) await sleep((i * staggerMs) / concurrency);
      while (performance.now() < until) {
        const { firstMs } = await ask(socket);
        firstChunks?.push(firstMs);
        answers++;
      }
    }),
  );
  const wallSeconds = (performance.now() - started) / 1000;
  await settled?.();
  const cpuSeconds = target.cpuSeconds() - cpuBefore;
  await closeAll(sockets);
  return throughputOf(concurrency, answers, chunksPerAnswer, cpuSeconds, wallSeconds);
}

export type Throughput = ReturnType<typeof throughputOf>;

/** Rounds of `throughput` of one process as one figure: all their chunks over all their CPU and wall time. */
export function throughputInAll(rounds: Throughput[], chunksPerAnswer: number): Throughput {
  const sum = (figure: keyof Pick<Throughput, 'answers' | 'cpuSeconds' | 'wallSeconds'>) =>
    rounds.reduce((total, one) => total + one[figure], 0);
  return throughputOf(rounds[0].concurrency, sum('answers'), chunksPerAnswer, sum('cpuSeconds'), sum('wallSeconds'));
}

function throughputOf(concurrency: number, answers: number, chunksPerAnswer: number, cpuSeconds: number, wallSeconds: number) {
  const chunks = answers * chunksPerAnswer;
  return {
    concurrency,
    answers,
    chunksPerSecond: Math.round(chunks / wallSeconds),
    chunksPerCpuSecond: Math.round(chunks / cpuSeconds),
    cpuBusy: round(cpuSeconds / wallSeconds, 2),
    cpuSeconds,
    wallSeconds,
  };
}

/**
 * Server CPU per partial `asr_chunk` (the most frequent message: a speaker's ASR sends 5–20 a
 * second), flooded on `sockets` connections and followed to the last ack.
 */
export async function partialCost(target: Measured, sockets: number, perSocket: number) {
  const open = await connectMany(target.url, sockets);
  let acks = 0;
  const acked = new Promise<void>((resolve) => {
    for (const socket of open) {
      socket.on('message', (data) => {
        if ((data as Buffer).toString().startsWith('{"type":"ack"') && ++acks === sockets * perSocket) resolve();
      });
    }
  });
  const cpuBefore = target.cpuSeconds();
  for (let i = 0; i < perSocket; i++) {
    for (const socket of open) socket.send(JSON.stringify({ type: 'asr_chunk', text: `我们今天讨论一下第 ${i} 个`, is_final: false }));
  }
  await acked;
  const micros = ((target.cpuSeconds() - cpuBefore) * 1e6) / (sockets * perSocket);
  await closeAll(open);
  return { partials: sockets * perSocket, cpuMicrosPerPartial: round(micros, 1) };
}

/**
 * Server memory per open, idle WebSocket: the median of three rounds of `count` connections, full GCs
 * on both sides of each, after an uncounted round that leaves the server's lasting first-use
 * allocations behind. One round alone could come out below zero: the heap shrinking under the
 * allocator while connections are open (pages freed by earlier work returned to the system). With
 * `snapshotTo`, also heap snapshots around the first round (`<snapshotTo>-before|after.heapsnapshot`):
 * load both in Chrome DevTools' Memory tab and compare, to see what each connection holds.
 */
export async function idleMemory(target: Measured, count: number, snapshotTo?: string) {
  await closeAll(await connectMany(target.url, count));
  const rounds: Array<{ before: NodeJS.MemoryUsage; after: NodeJS.MemoryUsage }> = [];
  for (let i = 0; i < 3; i++) {
    const snapshot = i === 0 ? snapshotTo : undefined;
    if (snapshot) await target.heapSnapshot(`${snapshot}-before.heapsnapshot`);
    const before = await target.memory();
    const sockets = await connectMany(target.url, count);
    await sleep(1000); // the server's connect work (acks, status) has finished
    const after = await target.memory();
    if (snapshot) await target.heapSnapshot(`${snapshot}-after.heapsnapshot`);
    await closeAll(sockets);
    rounds.push({ before, after });
  }
  const per = (field: keyof NodeJS.MemoryUsage) => {
    const growth = rounds.map(({ before, after }) => after[field] - before[field]);
    const median = percentile(growth, 0.5);
    // What noise still leaves below zero is no cost at all.
    return Math.max(0, Math.round(median / count));
  };
  return { connections: count, rssBytes: per('rss'), heapUsedBytes: per('heapUsed'), externalBytes: per('external') };
}
