/**
 * What Redis costs the service, side by side in one run: the service with the memory answer log (no
 * Redis), with a standalone Redis (REDIS_URL) and with a 3-master Redis Cluster (REDIS_CLUSTER_NODES),
 * all redis-servers of the benchmark's own on loopback, at their defaults (retention included).
 * Each service serves three apps, one per local Dify pace, so one process per mode does it all:
 *   - Redis memory per concurrent answer: N answers at once at the local Dify's default pace, INFO
 *     used_memory growth ÷ N halfway through and after they end (first, on an empty Redis: nothing
 *     of the other runs expires meanwhile); every answer checked against Dify's.
 *   - first answer chunk: one question at a time, rounds interleaved (the main run's measurement).
 *   - throughput on one core against the unpaced upstream (the main run's measurement): chunks per
 *     CPU-second of the service, and Redis's commands, bytes and CPU per chunk from INFO deltas.
 *   - the same at a model's pace (the local Dify's default: a chunk every 25 ms), PACED_SOCKETS
 *     asking, their first questions spread over one answer's duration as independent speakers ask:
 *     every mode serves the same steady load, below what one core takes; and the answers' first
 *     chunks meanwhile.
 */
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { resumeConfig } from '../../src/config';
import { LocalDifyServer } from '../../src/local-dify';
import { RedisCluster } from '../../test/support/redis-cluster';
import { RedisServer } from '../../test/support/redis-server';
import { streamDirect } from './clients';
import { firstChunkLatency, throughput, Throughput, throughputInAll } from './measurements';
import { Measured, Placement, startService } from './processes';
import { QUIET_MS, RedisCounters, redisCounters, redisDelta, summedDeltas, totalCommands, untilQuiet } from './redis-info';
import { ConcurrentAnswers, concurrentAnswers, DirectAnswer } from './redis-memory';
import { round, Stats, stats } from './stats';

const KEY = 'app-bench';
const SOCKETS = 50;
/**
 * Answers at once at a model's pace: about 3,200 chunks a second, which the memory log serves at about
 * 40 % of a core here (200 left the Redis modes short of it: the clients' core, which Redis shares,
 * was full). Unpaced, each mode serves what the cores let it, and a service's CPU per chunk falls as
 * its load rises (more chunks per read, per write, per turn): so the modes are compared at one load too.
 */
const PACED_SOCKETS = 100;
/** Throughput is measured in rounds about this long, the modes in turn (see `throughputs`). */
const THROUGHPUT_ROUND_SECONDS = 2;
/**
 * At a model's pace a round's questions start spread over an answer's duration (1.6 s) and its last
 * answers end as long after: four times as long rounds, so the load is steady for most of a round.
 */
const PACED_ROUNDS_LONGER = 4;
/** The modes compared; the first is the baseline. */
export const MODES = ['memoryLog', 'redis', 'redisCluster'] as const;
export type Mode = (typeof MODES)[number];
type RedisMode = Exclude<Mode, 'memoryLog'>;
export const REDIS_MODES = ['redis', 'redisCluster'] as const;
/** Issue 25's goals: reported with whether each is met, never failed on. */
export const GOALS = { cpuPerChunkRatio: 1.3, megabytesPerConcurrentAnswer: 0.2, firstChunkOverheadMs: 0.5 };

export interface RedisSize {
  rounds: number;
  throughputSeconds: number;
  concurrentAnswers: number;
}

export interface RedisPerChunk {
  commands: number;
  netInputBytes: number;
  netOutputBytes: number;
  cpuMicros: number;
  byCommand: Record<string, number>;
  /** How long the service still wrote to Redis after the clients had their last answer (a backlog of log writes), at most in a round. */
  writesBehindSeconds: number;
}

export interface RedisFigures {
  rounds: number;
  retentionSeconds: number;
  firstChunkMs: Record<string, Stats>;
  /** Over all its rounds. */
  throughput: Record<Mode, Throughput>;
  /** What Redis did per upstream chunk of the throughput run (Cluster: summed over its masters). */
  perChunk: Record<RedisMode, RedisPerChunk>;
  /** The same at a model's pace, PACED_SOCKETS answers at once. */
  paced: Load;
  memory: Record<RedisMode, ConcurrentAnswers>;
  /** The figures the goals and docs/operating.md's sizing read, derived from the others. */
  verdicts: Record<RedisMode, RedisVerdict>;
}

/** Throughput of every mode under one load, and what Redis did per chunk meanwhile. */
export interface Load {
  throughput: Record<Mode, Throughput>;
  perChunk: Record<RedisMode, RedisPerChunk>;
  /** The answers' first chunks meanwhile, ms from asking. */
  firstChunkMs: Record<Mode, Stats>;
}

export interface RedisVerdict {
  /** The service's CPU per chunk with this Redis over the memory log's (unpaced; `paced`: at a model's pace). */
  cpuPerChunkRatio: number;
  pacedCpuPerChunkRatio: number;
  /** First-chunk p50 with this Redis less the memory log's: one question at a time, and at a model's pace (`paced`). */
  firstChunkOverheadMs: number;
  pacedFirstChunkOverheadMs: number;
  megabytesPerConcurrentAnswer: number;
  /** The same of the answer logs' own keys: the goal's figure (the rest is per session, or Redis's own). */
  answerLogMegabytesPerConcurrentAnswer: number;
  /** Service cores (each at its chunks per CPU-second with Redis) one Redis core keeps up with. */
  serviceCoresPerRedisCore: number;
}

export async function redisFigures(placement: Placement, size: RedisSize): Promise<RedisFigures> {
  // Paced like a fast model (first token at once, a chunk every 2 ms) for the first chunk; unpaced
  // for throughput; and the local Dify's default pace (a model's) for memory.
  const servers = {
    paced: new LocalDifyServer({ apiKeys: [KEY], firstChunkDelayMs: 0, chunkDelayMs: 2, chunkChars: 6, record: false }),
    flat: new LocalDifyServer({ apiKeys: [KEY], firstChunkDelayMs: 0, chunkDelayMs: 0, chunkChars: 2, record: false }),
    model: new LocalDifyServer({ apiKeys: [KEY], record: false }),
  };
  const urls = { paced: '', flat: '', model: '' };
  for (const name of ['paced', 'flat', 'model'] as const) urls[name] = (await servers[name].listen()).baseUrl;
  const apps = JSON.stringify(Object.fromEntries(Object.entries(urls).map(([name, url]) => [name, { base_url: url, api_key: KEY }])));
  const standalone = await RedisServer.start();
  const cluster = await RedisCluster.start(3);
  const ports: Record<RedisMode, number[]> = { redis: [standalone.port], redisCluster: await cluster.masters() };
  const env: Record<Mode, Record<string, string>> = {
    memoryLog: {},
    redis: { REDIS_URL: standalone.url },
    redisCluster: { REDIS_CLUSTER_NODES: cluster.seeds },
  };
  const services: Measured[] = [];
  try {
    for (const mode of MODES)
      services.push(await startService(urls.paced, KEY, placement, { ...env[mode], APPS: apps, DEFAULT_APP: 'paced' }, mode));
    const at = (service: Measured, app: keyof typeof urls): Measured => ({ ...service, url: `${service.url}?app=${app}` });
    const [flatChunks, model] = [(await direct(urls.flat)).pieces.length, await direct(urls.model, 3)];
    const retentionSeconds = resumeConfig().retentionMs / 1000;
    const memory = {} as RedisFigures['memory'];
    for (const mode of REDIS_MODES)
      memory[mode] = await concurrentAnswers(
        at(services[MODES.indexOf(mode)], 'model'),
        ports[mode],
        size.concurrentAnswers,
        model,
        retentionSeconds,
      );
    const firstChunkMs = await firstChunkLatency(urls.paced, KEY, services, size.rounds);
    const unpaced = await throughputs(
      services.map((service) => at(service, 'flat')),
      ports,
      size.throughputSeconds,
      { sockets: SOCKETS, chunksPerAnswer: flatChunks },
    );
    const paced = await throughputs(
      services.map((service) => at(service, 'model')),
      ports,
      size.throughputSeconds * PACED_ROUNDS_LONGER,
      {
        sockets: PACED_SOCKETS,
        chunksPerAnswer: model.pieces.length,
        staggerMs: model.seconds * 1000,
        roundSeconds: THROUGHPUT_ROUND_SECONDS * PACED_ROUNDS_LONGER,
      },
    );
    // Unpaced, the service is saturated and a first chunk waits in its queue: only the paced first chunks tell.
    const measured = {
      rounds: size.rounds,
      retentionSeconds,
      firstChunkMs,
      throughput: unpaced.throughput,
      perChunk: unpaced.perChunk,
      paced,
      memory,
    };
    return { ...measured, verdicts: verdictsOf(measured) };
  } finally {
    await stopAll(services);
    await Promise.all([...Object.values(servers).map((server) => server.close()), standalone.stop(), cluster.stop()]);
  }
}

/**
 * Each mode's throughput, `sockets` asking back to back, and what its Redis did per chunk meanwhile:
 * in rounds of `roundSeconds` taken by the modes in turn (each round's first mode the next), so what
 * the machine does meanwhile (a shared VM's neighbours come and go within seconds) touches every
 * mode alike, as the first-chunk rounds are interleaved. `staggerMs`: see ThroughputOptions.
 */
async function throughputs(
  targets: Measured[],
  ports: Record<RedisMode, number[]>,
  seconds: number,
  {
    sockets,
    chunksPerAnswer,
    staggerMs,
    roundSeconds = THROUGHPUT_ROUND_SECONDS,
  }: { sockets: number; chunksPerAnswer: number; staggerMs?: number; roundSeconds?: number },
): Promise<Load> {
  const rounds = Math.max(2, Math.round(seconds / roundSeconds));
  const measured = Object.fromEntries(MODES.map((mode) => [mode, [] as Throughput[]])) as Record<Mode, Throughput[]>;
  const firstChunks = Object.fromEntries(MODES.map((mode) => [mode, [] as number[]])) as Record<Mode, number[]>;
  const deltas: Record<RedisMode, RedisCounters[]> = { redis: [], redisCluster: [] };
  const behind: Record<RedisMode, number> = { redis: 0, redisCluster: 0 };
  for (let lap = 0; lap < rounds; lap++) {
    for (let turn = 0; turn < MODES.length; turn++) {
      const i = (lap + turn) % MODES.length;
      const mode = MODES[i];
      const options = { staggerMs, firstChunks: firstChunks[mode] };
      if (mode === 'memoryLog') {
        measured[mode].push(await throughput(targets[i], sockets, seconds / rounds, chunksPerAnswer, options));
        continue;
      }
      const before = await redisCounters(ports[mode]);
      const settled = async () => {
        const answered = performance.now();
        await untilQuiet(ports[mode]);
        behind[mode] = Math.max(behind[mode], (performance.now() - answered - QUIET_MS) / 1000);
      };
      measured[mode].push(await throughput(targets[i], sockets, seconds / rounds, chunksPerAnswer, { ...options, settled }));
      deltas[mode].push(redisDelta(before, await redisCounters(ports[mode])));
    }
  }
  const figures = { throughput: {}, perChunk: {}, firstChunkMs: {} } as Load;
  for (const mode of MODES) figures.throughput[mode] = throughputInAll(measured[mode], chunksPerAnswer);
  for (const mode of MODES) figures.firstChunkMs[mode] = stats(firstChunks[mode]);
  for (const mode of REDIS_MODES)
    figures.perChunk[mode] = {
      ...perChunk(summedDeltas(deltas[mode]), figures.throughput[mode].answers * chunksPerAnswer),
      writesBehindSeconds: round(Math.max(0, behind[mode]), 2),
    };
  return figures;
}

function verdictsOf(f: Omit<RedisFigures, 'verdicts'>): Record<RedisMode, RedisVerdict> {
  const ratio = ({ throughput }: Load, mode: RedisMode) =>
    round(throughput.memoryLog.chunksPerCpuSecond / throughput[mode].chunksPerCpuSecond, 2);
  const verdicts = {} as Record<RedisMode, RedisVerdict>;
  for (const mode of REDIS_MODES) {
    const chunksPerCpuSecond = f.throughput[mode].chunksPerCpuSecond;
    verdicts[mode] = {
      cpuPerChunkRatio: ratio(f, mode),
      pacedCpuPerChunkRatio: ratio(f.paced, mode),
      firstChunkOverheadMs: round(f.firstChunkMs[mode].p50 - f.firstChunkMs.memoryLog.p50),
      pacedFirstChunkOverheadMs: round(f.paced.firstChunkMs[mode].p50 - f.paced.firstChunkMs.memoryLog.p50),
      megabytesPerConcurrentAnswer: round(f.memory[mode].steadyBytesPerConcurrentAnswer / 1e6),
      answerLogMegabytesPerConcurrentAnswer: round(f.memory[mode].answerLogBytesPerConcurrentAnswer / 1e6),
      serviceCoresPerRedisCore: round(1e6 / f.perChunk[mode].cpuMicros / chunksPerCpuSecond, 1),
    };
  }
  return verdicts;
}

/** Figures that say nothing (zero, negative or not finite where a cost must show), and answers lost or out of order. */
export function redisFailures(f: RedisFigures): string[] {
  const failures: string[] = [];
  const positive = (label: string, value: number) => {
    if (!(Number.isFinite(value) && value > 0)) failures.push(`${label} is ${value}`);
  };
  for (const mode of MODES) positive(`${mode} chunks per CPU-second`, f.throughput[mode].chunksPerCpuSecond);
  for (const mode of MODES) positive(`${mode} chunks per CPU-second at a model's pace`, f.paced.throughput[mode].chunksPerCpuSecond);
  for (const mode of MODES) {
    if (!Number.isFinite(f.firstChunkMs[mode]?.p50)) failures.push(`${mode} first chunk p50 is ${f.firstChunkMs[mode]?.p50}`);
    positive(`${mode} first chunk p50 at a model's pace`, f.paced.firstChunkMs[mode].p50);
  }
  for (const mode of REDIS_MODES) {
    const [chunk, memory] = [f.perChunk[mode], f.memory[mode]];
    positive(`${mode} commands per chunk`, chunk.commands);
    positive(`${mode} input bytes per chunk`, chunk.netInputBytes);
    positive(`${mode} memory per ended answer`, memory.endedBytesPerAnswer);
    positive(`${mode} answer log per ended answer`, memory.answerLogEndedBytesPerAnswer);
    if (memory.lost + memory.disordered > 0) failures.push(`${mode}: ${memory.lost} answers lost, ${memory.disordered} out of order`);
  }
  return failures;
}

function perChunk(delta: RedisCounters, chunks: number): Omit<RedisPerChunk, 'writesBehindSeconds'> {
  const byCommand: Record<string, number> = {};
  // The most frequent first; those of less than one call in a thousand chunks (BullMQ's polling, say) left out.
  for (const [command, calls] of Object.entries(delta.commands).sort(([, a], [, b]) => b - a))
    if (round(calls / chunks) > 0) byCommand[command] = round(calls / chunks);
  return {
    commands: round(totalCommands(delta) / chunks),
    netInputBytes: round(delta.netInputBytes / chunks, 1),
    netOutputBytes: round(delta.netOutputBytes / chunks, 1),
    cpuMicros: round((delta.cpuSeconds * 1e6) / chunks, 2),
    byCommand,
  };
}

/**
 * Stops the services and waits until they have exited, before their Redis is stopped: a Cluster's
 * nodes vanishing under a service still shutting down make ioredis warn (MaxListenersExceededWarning).
 */
async function stopAll(services: Measured[]): Promise<void> {
  await Promise.all(
    services.map(async (service) => {
      const child = service.process;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      service.stop();
      await exited;
    }),
  );
}

/**
 * The answer's text pieces as Dify streams them at this URL, and how long it takes: the fastest of
 * `reads` (a busy machine only ever lengthens it, and the pace is what is wanted).
 */
async function direct(baseUrl: string, reads = 1): Promise<DirectAnswer> {
  let fastest: DirectAnswer = { pieces: [], seconds: Infinity };
  for (let read = 0; read < reads; read++) {
    const pieces: string[] = [];
    const started = performance.now();
    await streamDirect(baseUrl, KEY, (piece) => pieces.push(piece));
    const seconds = (performance.now() - started) / 1000;
    if (seconds < fastest.seconds) fastest = { pieces, seconds };
  }
  return fastest;
}
