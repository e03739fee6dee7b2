/**
 * What an attacker on loopback costs everyone else: `/health` latency and a bystander's first answer
 * chunk while each attack of attacks.ts runs, beside the same with no attack; and what it cost the
 * service: whether it survived, its memory, its connections to the upstream, its error logs. Each
 * attack meets a service of its own, with the default limits (one that died must not take the next
 * attack's figures with it), and runs in a process of its own (attacker.ts), so its busy loop never
 * delays the probes.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { LocalDifyServer } from '../../src/local-dify';
import { GRACE_MS } from './attack-io';
import {
  memoryAfterGc,
  MemoryMB,
  peakMemory,
  peakUpstreamConnections,
  probeBystander,
  probeHealth,
  upstreamConnections,
} from './attack-probes';
import type { Attack, AttackFigures } from './attack-types';
import { ATTACKS } from './attacks';
import { ask, closeAll, connect } from './clients';
import { INPUT_FORM } from './input-attacks';
import { Measured, Placement, startService } from './processes';
import { round, stats, Stats } from './stats';
import { armUpstream } from './upstream-attacks';

/** The limits a deployment runs with, which the attacks are up against (the other figures lift them). */
const DEFAULT_LIMITS = { RATE_LIMIT_BURST: '100', MAX_CONNECTIONS_PER_IP: '100', MAX_CONCURRENT_ANSWERS: '200' };
const KEY = 'app-bench-attack';
const WARM_UP_QUESTIONS = 10;

export interface AttackFigure {
  healthMs: Stats;
  healthMaxMs: number;
  /** Probes with an error or no answer in 60 s. */
  healthFailures: number;
  bystanderFirstChunkMs: Stats;
  bystanderAnswers: number;
  /** Questions with an error reply, no first chunk in 30 s, or no connection. */
  bystanderFailures: number;
  /** Still running and answering `/health` once the attacker is gone. */
  survived: boolean;
  /** RSS and heap used, MB: after full GCs before the attack and after it (what it left behind), and the most `/metrics` showed meanwhile. */
  memoryMB: { before?: MemoryMB; peak: MemoryMB; after?: MemoryMB };
  /** Heap and RSS kept per cycle (MB, after full GCs), for attacks that count `cycles`. */
  keptPerCycleMB?: MemoryMB;
  /** Peak heap and RSS per thing held open (KB), for attacks that count what they `held`. */
  peakPerHeldKB?: MemoryMB;
  /** TCP connections open to the upstream: the most seen, and once the attacker is gone. */
  upstreamConnections: { max: number; after: number };
  /** The service's log lines at level error, and those with a stack trace, during the attack. */
  errorLogs: { errors: number; stacks: number };
  /** The machine's 1-minute load average as the attack started and ended (other work on it makes every latency noisier). */
  loadAverage: [number, number];
  /** What the attacker counted itself (attacks.ts). */
  attacker?: AttackFigures;
}

/** Runs each attack for `seconds` against a service of its own on a local Dify paced like a fast model. */
export async function attackFigures(placement: Placement, seconds: number): Promise<Record<string, AttackFigure>> {
  const dify = new LocalDifyServer({
    apiKeys: [KEY],
    firstChunkDelayMs: 0,
    chunkDelayMs: 2,
    chunkChars: 6,
    inputForm: INPUT_FORM,
    record: false,
  });
  armUpstream(dify);
  const { baseUrl, port } = await dify.listen();
  const figures: Record<string, AttackFigure> = {};
  try {
    for (const attack of ATTACKS) {
      console.log(`attack: ${attack.name}`);
      const service = await startService(
        baseUrl,
        KEY,
        placement,
        { ...DEFAULT_LIMITS, SHUTDOWN_GRACE_MS: '1000', ...attack.env },
        'attacked',
      );
      try {
        figures[attack.name] = await underAttack(attack, service, port, seconds);
      } finally {
        await stop(service);
      }
    }
    return figures;
  } finally {
    await dify.close();
  }
}

async function underAttack(attack: Attack, service: Measured, difyPort: number, seconds: number): Promise<AttackFigure> {
  const httpUrl = service.url.replace(/^ws/, 'http').replace(/\/ws\/.*$/, '');
  await warmUp(service.url);
  const before = await memoryAfterGc(service);
  const logsBefore = { ...service.logs };
  const loadBefore = round(loadavg()[0], 1);
  const until = performance.now() + seconds * 1000;
  const attacker = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', join(__dirname, 'attacker.ts'), attack.name, service.url, httpUrl, String(seconds)],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  let counted: AttackFigures | undefined;
  attacker.on('message', (message: AttackFigures) => (counted = message));
  const done = new AbortController();
  const attacking = once(attacker, 'exit').then(() => done.abort());
  // An attack gives its calls GRACE_MS past its time; one still running well after that is stopped.
  const overdue = setTimeout(() => attacker.kill('SIGKILL'), seconds * 1000 + GRACE_MS + 30_000);
  const [health, bystander, peak, upstreamMax] = await Promise.all([
    probeHealth(httpUrl, until),
    probeBystander(service.url, until),
    peakMemory(httpUrl, done.signal),
    peakUpstreamConnections(difyPort, done.signal),
    attacking,
  ]);
  clearTimeout(overdue);
  await sleep(1000); // the attacker's connections closed on the service's side too
  const survived = await alive(service, httpUrl);
  const after = survived ? await memoryAfterGc(service) : undefined;
  const per = (count: unknown, from?: MemoryMB, to?: MemoryMB, scale = 1): MemoryMB | undefined =>
    typeof count === 'number' && count > 0 && from && to
      ? { rss: round(((to.rss - from.rss) * scale) / count, 1), heapUsed: round(((to.heapUsed - from.heapUsed) * scale) / count, 1) }
      : undefined;
  return {
    healthMs: stats(health.times),
    healthMaxMs: round(Math.max(0, ...health.times)),
    healthFailures: health.failures,
    bystanderFirstChunkMs: stats(bystander.times),
    bystanderAnswers: bystander.times.length,
    bystanderFailures: bystander.failures,
    survived,
    memoryMB: { before, peak, after },
    keptPerCycleMB: per(counted?.cycles, before, after),
    peakPerHeldKB: per(counted?.held, before, peak, 1024),
    upstreamConnections: { max: upstreamMax, after: upstreamConnections(difyPort) },
    errorLogs: { errors: service.logs.errors - logsBefore.errors, stacks: service.logs.stacks - logsBefore.stacks },
    loadAverage: [loadBefore, round(loadavg()[0], 1)],
    attacker: counted,
  };
}

/** A few questions first, so the bystander's figures are of warm code, as with a service that has run a while. */
async function warmUp(wsUrl: string): Promise<void> {
  const socket = await connect(wsUrl);
  for (let i = 0; i < WARM_UP_QUESTIONS; i++) await ask(socket);
  await closeAll([socket]);
}

async function alive(service: Measured, httpUrl: string): Promise<boolean> {
  if (service.process.exitCode !== null || service.process.signalCode !== null) return false;
  return fetch(`${httpUrl}/health`, { signal: AbortSignal.timeout(10_000) }).then(
    (response) => response.ok,
    () => false,
  );
}

/** Stops the service and waits until it is gone (killed if its shutdown takes over 10 s). */
async function stop(service: Measured): Promise<void> {
  if (service.process.exitCode !== null || service.process.signalCode !== null) return;
  const exited = once(service.process, 'exit');
  service.stop();
  const killer = setTimeout(() => service.process.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
}
