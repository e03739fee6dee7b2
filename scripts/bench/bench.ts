/**
 * What the service costs over calling Dify directly, side by side with a minimal relay doing the same
 * job (relay.ts), against the same local Dify-compatible upstream. The service and the relay run on
 * core 0, this process (upstream and clients) on core 1, so "one core" figures are one core.
 *   npm run bench                 full run, figures to bench-results/bench.json
 *   npm run bench -- --quick      CI-sized; fails only on lost or disordered answers, never on timings
 *   npm run bench -- --profile    also CPU profiles of both during the burst and the partials flood (bench-results/*.cpuprofile)
 *                                 and heap snapshots around the idle connections (*.heapsnapshot)
 *   npm run bench -- --attack     only the attacks (attacks.ts, under-attack.ts): /health and a bystander during each,
 *                                 the service's survival and memory, against the service with its default limits
 *                                 (also part of the full run); with --quick, 3 s each instead of 10
 *   npm run bench -- --batch      only batch throughput (batch-throughput.ts): one task through the HTTP batch API on
 *                                 the in-process queue, BullMQ with one instance and with two (also part of the full run)
 *   npm run bench -- --neighbour  only the noisy neighbour (neighbour.ts): one principal saturating (live and batch)
 *                                 while another asks, beside the same without it; with --quick, CI-sized: fails only
 *                                 on a quiet principal's question or item refused while the fair shares hold
 *   npm run bench -- --providers  only an openai app's first chunk beside a dify app's in one service (provider-apps.ts),
 *                                 each against its direct floor
 *   npm run bench -- --turns      only turn-taking (turns.ts): the corpus on TURN_POLICY fixed and adaptive
 *                                 (also part of the full run); `--first-token-ms N` paces the upstream (400);
 *                                 with --quick, CI-sized: fails only on a lost answer, a wrongly joined
 *                                 question, small talk sent or a backchannel interrupting, never on timings
 *   npm run bench -- --tracing    only the tracing cost (tracing-cost.ts): tracing off, on at 10 % and 100 % sampling,
 *                                 first chunk and chunks per CPU-second side by side (also part of the full run)
 *   npm run bench -- --redis      only the Redis cost (redis-cost.ts): the memory answer log, a standalone Redis and a
 *                                 3-master Cluster side by side: chunks per CPU-second (unpaced, and at a model's
 *                                 pace), Redis commands, bytes and memory, first chunk, with issue 25's goals (also
 *                                 part of the full run and of --quick, where it fails only on a lost answer or a
 *                                 figure that is zero or not a number, never on a goal)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { LocalDifyServer } from '../../src/local-dify';
import { redisServerInstalled } from '../../test/support/redis-server';
import { detectorTime, FIXTURE, loadFixture } from '../detector-evaluation';
import { streamDirect } from './clients';
import { printAttacks } from './attack-report';
import { batchFigures, batchLosses, printBatch } from './batch-throughput';
import { burst, firstChunkLatency, idleMemory, partialCost, throughput } from './measurements';
import { Measured, Placement, startRelay, startService } from './processes';
import { turnFigures } from './turns';
import { attackFigures } from './under-attack';
import { neighbourFailures, neighbourFigures, printNeighbour } from './neighbour';
import { printProviderApps, providerAppFigures } from './provider-apps';
import { printTurns } from './turns-report';
import { printTracing, tracingFigures } from './tracing-cost';
import { redisFailures, redisFigures } from './redis-cost';
import { printRedis } from './redis-report';

const quick = process.argv.includes('--quick');
const profile = process.argv.includes('--profile');
const attackOnly = process.argv.includes('--attack');
const turnsOnly = process.argv.includes('--turns');
const batchOnly = process.argv.includes('--batch');
const neighbourOnly = process.argv.includes('--neighbour');
const tracingOnly = process.argv.includes('--tracing');
const providersOnly = process.argv.includes('--providers');
const redisOnly = process.argv.includes('--redis');
/** How this run was asked for, to name it in its verdict. */
const COMMAND = ['bench', ...process.argv.slice(2)].join(' ');
/** The upstream's first token in the turn-taking run, which the latency goals are relative to. */
const firstTokenFlag = process.argv.indexOf('--first-token-ms');
const FIRST_TOKEN_MS = firstTokenFlag < 0 ? 400 : Number(process.argv[firstTokenFlag + 1]);
/** Seconds each attack runs. */
const ATTACK_SECONDS = quick ? 3 : 10;
const SIZE = quick
  ? { rounds: 30, burst: 100, idle: 1000, throughputSeconds: 2, partialsPerSocket: 100, batchItems: 200, concurrentAnswers: 50 }
  : { rounds: 300, burst: 500, idle: 10_000, throughputSeconds: 10, partialsPerSocket: 1000, batchItems: 2000, concurrentAnswers: 100 };
const NEIGHBOUR = quick
  ? { slots: 40, noisySockets: 60, noisyItems: 200, quietQuestions: 30 }
  : { slots: 200, noisySockets: 300, noisyItems: 2000, quietQuestions: 50 };
const THROUGHPUT_SOCKETS = 50;
const PARTIAL_SOCKETS = 50;
const KEY = 'app-bench';
const out = join(__dirname, '..', '..', 'bench-results');

async function main(): Promise<void> {
  const servers: Placement = pinSelf();
  if (attackOnly) return attacks(servers);
  if (turnsOnly) return turns(servers);
  if (batchOnly) return batch(servers);
  if (neighbourOnly) return neighbour(servers);
  if (tracingOnly) return tracing(servers);
  if (providersOnly) return providers(servers);
  if (redisOnly) return redis(servers);
  // Paced like a fast model: first token at once, a chunk every 2 ms.
  const paced = new LocalDifyServer({ apiKeys: [KEY], firstChunkDelayMs: 0, chunkDelayMs: 2, chunkChars: 6 });
  // As fast as the upstream can write: for throughput, where the relaying process is the bottleneck.
  const flat = new LocalDifyServer({ apiKeys: [KEY], firstChunkDelayMs: 0, chunkDelayMs: 0, chunkChars: 2 });
  const pacedUrl = (await paced.listen()).baseUrl;
  const flatUrl = (await flat.listen()).baseUrl;
  const expected = await answerPieces(pacedUrl);
  const chunksPerAnswer = (await answerPieces(flatUrl)).length;
  // With Redis (sessions, leases and the answer log there), the service is measured in the Redis section (redis-cost.ts).
  const [service, relay] = [await startService(pacedUrl, KEY, servers), await startRelay(pacedUrl, KEY, servers)];
  const targets = [service, relay];
  const flatTargets = [await startService(flatUrl, KEY, servers), await startRelay(flatUrl, KEY, servers)];
  mkdirSync(out, { recursive: true });
  try {
    const firstChunkMs = await firstChunkLatency(pacedUrl, KEY, targets, SIZE.rounds);
    const burstFigures: Record<string, Awaited<ReturnType<typeof burst>>> = {};
    for (const target of targets)
      burstFigures[target.name] = await profiled(target, 'burst', () => burst(target, SIZE.burst, expected.join('')));
    const throughputFigures: Record<string, Awaited<ReturnType<typeof throughput>>> = {};
    for (const target of flatTargets)
      throughputFigures[target.name] = await throughput(target, THROUGHPUT_SOCKETS, SIZE.throughputSeconds, chunksPerAnswer);
    const partials: Record<string, Awaited<ReturnType<typeof partialCost>>> = {};
    for (const target of [service, relay])
      partials[target.name] = await profiled(target, 'partials', () => partialCost(target, PARTIAL_SOCKETS, SIZE.partialsPerSocket));
    const idle: Record<string, Awaited<ReturnType<typeof idleMemory>>> = {};
    for (const target of [service, relay])
      idle[target.name] = await idleMemory(target, SIZE.idle, profile ? join(out, `${target.name}-idle`) : undefined);
    const figures = {
      machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, pinned: servers.cores ?? 'no' },
      rounds: SIZE.rounds,
      firstChunkMs,
      burst: burstFigures,
      throughput: throughputFigures,
      partials,
      idleMemory: idle,
      detector: detectorTime(loadFixture(FIXTURE)),
      batch: await batchFigures(servers, SIZE.batchItems),
      attacks: quick ? undefined : await attackFigures(servers, ATTACK_SECONDS),
      turns: quick ? undefined : await turnFigures(servers, FIRST_TOKEN_MS, false),
      tracing: quick ? undefined : await tracingFigures(servers, SIZE.rounds, SIZE.throughputSeconds),
      redis: redisServerInstalled() ? await redisFigures(servers, SIZE) : undefined,
    };
    writeFileSync(join(out, quick ? 'bench-quick.json' : 'bench.json'), JSON.stringify(figures, null, 2));
    printTable(figures);
    const broken = Object.values(burstFigures).reduce((sum, b) => sum + b.lost + b.disordered, 0) + batchLosses(figures.batch);
    if (broken > 0) {
      console.error(`${COMMAND}: FAILED, ${broken} answers (live or batch) lost or out of order`);
      process.exitCode = 1;
    }
    if (figures.turns?.failures.length) failTurns(figures.turns.failures);
    const redisBroken = figures.redis ? redisFailures(figures.redis) : [];
    if (redisBroken.length) failRedis(redisBroken);
    if (!process.exitCode) console.log(`${COMMAND}: OK, no answer lost or out of order${figures.turns ? ', no turn failed' : ''}`);
  } finally {
    for (const target of [...targets, ...flatTargets]) target.stop();
    await Promise.all([paced.close(), flat.close()]);
  }
}

/** The attacks alone: figures to bench-attack(-quick).json. */
async function attacks(servers: Placement): Promise<void> {
  const figures = await attackFigures(servers, ATTACK_SECONDS);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, quick ? 'bench-attack-quick.json' : 'bench-attack.json'), JSON.stringify(figures, null, 2));
  printAttacks(figures, ATTACK_SECONDS);
}

/** Batch throughput alone: figures to bench-batch(-quick).json; fails on an item not answered. */
async function batch(servers: Placement): Promise<void> {
  const figures = await batchFigures(servers, SIZE.batchItems);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, quick ? 'bench-batch-quick.json' : 'bench-batch.json'), JSON.stringify(figures, null, 2));
  printBatch(figures);
  const lost = batchLosses(figures);
  if (lost > 0) {
    console.error(`${COMMAND}: FAILED, ${lost} batch items not answered`);
    process.exitCode = 1;
  } else console.log(`${COMMAND}: OK, every batch item answered`);
}

/** The noisy neighbour alone: figures to bench-neighbour(-quick).json; fails on a quiet principal's question or item refused. */
async function neighbour(servers: Placement): Promise<void> {
  const figures = await neighbourFigures(servers, NEIGHBOUR);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, quick ? 'bench-neighbour-quick.json' : 'bench-neighbour.json'), JSON.stringify(figures, null, 2));
  printNeighbour(figures);
  const refused = neighbourFailures(figures);
  if (refused > 0) {
    console.error(`${COMMAND}: FAILED, ${refused} of the quiet principal's questions or items refused`);
    process.exitCode = 1;
  } else console.log(`${COMMAND}: OK, the quiet principal was answered every time`);
}

/** The tracing cost alone: figures to bench-tracing(-quick).json. */
async function tracing(servers: Placement): Promise<void> {
  const figures = await tracingFigures(servers, SIZE.rounds, SIZE.throughputSeconds);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, quick ? 'bench-tracing-quick.json' : 'bench-tracing.json'), JSON.stringify(figures, null, 2));
  printTracing(figures, SIZE.rounds);
}

/** An openai app's first chunk beside a dify app's, through one service: figures to bench-providers(-quick).json. */
async function providers(servers: Placement): Promise<void> {
  const figures = await providerAppFigures(servers, SIZE.rounds);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, quick ? 'bench-providers-quick.json' : 'bench-providers.json'), JSON.stringify(figures, null, 2));
  printProviderApps(figures);
}

/** Turn-taking alone: figures to bench-turns(-quick).json; fails on what its scoring calls a failure. */
async function turns(servers: Placement): Promise<void> {
  const figures = await turnFigures(servers, FIRST_TOKEN_MS, quick);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, quick ? 'bench-turns-quick.json' : 'bench-turns.json'), JSON.stringify(figures, null, 2));
  printTurns(figures);
  if (figures.failures.length) failTurns(figures.failures);
  else console.log(`${COMMAND}: OK, no turn lost, wrongly joined, sent as small talk or interrupted by a backchannel`);
}

/** The Redis cost alone: figures to bench-redis(-quick).json; fails on a lost answer or a figure that says nothing. */
async function redis(servers: Placement): Promise<void> {
  if (!redisServerInstalled()) throw new Error('redis-server is not installed: the Redis section starts its own');
  const figures = await redisFigures(servers, SIZE);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, quick ? 'bench-redis-quick.json' : 'bench-redis.json'), JSON.stringify(figures, null, 2));
  printRedis(figures);
  const failures = redisFailures(figures);
  if (failures.length) failRedis(failures);
  else console.log(`${COMMAND}: OK, no answer lost, every Redis figure a cost`);
}

function failRedis(failures: string[]): void {
  console.error(`${COMMAND}: FAILED, the Redis section: ${failures.join('; ')}`);
  process.exitCode = 1;
}

function failTurns(failures: string[]): void {
  console.error(`${COMMAND}: FAILED, ${failures.length} turns lost, wrongly joined, sent as small talk or interrupted by a backchannel`);
  process.exitCode = 1;
}

/** Servers on core 0, this process on core 1 (when there are two cores and taskset). */
function pinSelf(): Placement {
  if (cpus().length < 2) return {};
  try {
    execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
    return { cores: '0' };
  } catch {
    return {};
  }
}

/** The answer's text pieces as Dify streams them, to check relayed answers against. */
async function answerPieces(baseUrl: string): Promise<string[]> {
  const pieces: string[] = [];
  await streamDirect(baseUrl, KEY, (piece) => pieces.push(piece));
  return pieces;
}

async function profiled<T>(target: Measured, label: string, work: () => Promise<T>): Promise<T> {
  if (!profile) return work();
  await target.startProfile();
  const result = await work();
  await target.stopProfile(join(out, `${target.name}-${label}.cpuprofile`));
  return result;
}

function printTable(f: {
  rounds: number;
  firstChunkMs: Record<string, { p50: number; p99: number }>;
  burst: Record<string, Awaited<ReturnType<typeof burst>>>;
  throughput: Record<string, Awaited<ReturnType<typeof throughput>>>;
  partials: Record<string, Awaited<ReturnType<typeof partialCost>>>;
  idleMemory: Record<string, Awaited<ReturnType<typeof idleMemory>>>;
  detector: ReturnType<typeof detectorTime>;
  batch: Awaited<ReturnType<typeof batchFigures>>;
  attacks?: Awaited<ReturnType<typeof attackFigures>>;
  turns?: Awaited<ReturnType<typeof turnFigures>>;
  tracing?: Awaited<ReturnType<typeof tracingFigures>>;
  redis?: Awaited<ReturnType<typeof redisFigures>>;
}): void {
  const row = (label: string, ...cells: (string | number)[]) =>
    console.log(`  ${label.padEnd(34)}${cells.map((c) => String(c).padStart(12)).join('')}`);
  console.log(`first answer chunk, ms (${f.rounds} interleaved rounds)`);
  row('', 'p50', 'p99');
  for (const [name, s] of Object.entries(f.firstChunkMs)) row(name, s.p50, s.p99);
  const [first] = Object.values(f.burst);
  console.log(`burst of ${first.sockets} sockets asking at once, ms`);
  row('', 'first p50', 'first p99', 'done p50', 'done p99', 'lost', 'disordered');
  for (const [name, b] of Object.entries(f.burst))
    row(name, b.firstChunkMs.p50, b.firstChunkMs.p99, b.completionMs.p50, b.completionMs.p99, b.lost, b.disordered);
  console.log(`throughput on one core (${THROUGHPUT_SOCKETS} sockets asking back to back)`);
  row('', 'chunks/s', 'per CPU-s', 'CPU busy');
  for (const [name, t] of Object.entries(f.throughput)) row(name, t.chunksPerSecond, t.chunksPerCpuSecond, t.cpuBusy);
  const [flood] = Object.values(f.partials);
  console.log(`${flood.partials} partial asr_chunks flooded on ${PARTIAL_SOCKETS} sockets`);
  row('', 'CPU µs each');
  for (const [name, p] of Object.entries(f.partials)) row(name, p.cpuMicrosPerPartial);
  const [idle] = Object.values(f.idleMemory);
  console.log(`${idle.connections} idle connections, bytes per connection`);
  row('', 'RSS', 'heap used', 'external');
  for (const [name, m] of Object.entries(f.idleMemory)) row(name, m.rssBytes, m.heapUsedBytes, m.externalBytes);
  console.log(`question detector, µs per utterance (${f.detector.utterances} utterances)`);
  row('', 'mean', 'p50', 'p99');
  row('detector', f.detector.meanMicros, f.detector.p50Micros, f.detector.p99Micros);
  printBatch(f.batch);
  if (f.attacks) printAttacks(f.attacks, ATTACK_SECONDS);
  if (f.turns) printTurns(f.turns);
  if (f.tracing) printTracing(f.tracing, f.rounds);
  if (f.redis) printRedis(f.redis);
  else console.log('redis-server is not installed: no Redis figures');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
