/**
 * What the attack harness watches while an attack runs: `/health` and a bystander's answers (its
 * latency), the service's memory (`/metrics`, and after full GCs through the probe), and the
 * connections it has open to the upstream (/proc/net/tcp).
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { ask, connect } from './clients';
import { Measured } from './processes';

/** A bystander's question that gets no first chunk in this long counts as failed. */
const BYSTANDER_PATIENCE_MS = 30_000;
const MB = 1024 * 1024;

/** `/health` every 50 ms until `until`: the times of those answered, and how many were not (error or no answer in 60 s). */
export async function probeHealth(httpUrl: string, until: number): Promise<{ times: number[]; failures: number }> {
  const times: number[] = [];
  let failures = 0;
  while (performance.now() < until) {
    const started = performance.now();
    const ok = await fetch(`${httpUrl}/health`, { signal: AbortSignal.timeout(60_000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) times.push(performance.now() - started);
    else failures++;
    await sleep(50);
  }
  return { times, failures };
}

/**
 * A bystander asking a question every 250 ms until `until`: its first chunks' times, and how many
 * questions failed (an error reply, no answer, a refused connection); after a failure it reconnects.
 */
export async function probeBystander(wsUrl: string, until: number): Promise<{ times: number[]; failures: number }> {
  const times: number[] = [];
  let failures = 0;
  let socket: WebSocket | undefined;
  while (performance.now() < until) {
    socket ??= await connect(wsUrl).catch(() => undefined);
    const firstMs = socket ? await firstChunk(socket) : undefined;
    if (firstMs === undefined) {
      failures++;
      socket?.terminate();
      socket = undefined;
    } else times.push(firstMs);
    await sleep(250);
  }
  socket?.close();
  return { times, failures };
}

/** The first chunk's time of a question on `socket`; undefined for an error reply or none in BYSTANDER_PATIENCE_MS. */
function firstChunk(socket: WebSocket): Promise<number | undefined> {
  let failed!: () => void;
  const onMessage = (data: Buffer) => data.toString().startsWith('{"type":"error"') && failed();
  const failure = new Promise<undefined>((resolve) => (failed = () => resolve(undefined)));
  socket.on('message', onMessage);
  socket.once('close', failed);
  const patience = sleep(BYSTANDER_PATIENCE_MS, undefined, { ref: false });
  return Promise.race([ask(socket).then((answer) => answer.firstMs), failure, patience]).finally(() => {
    socket.off('message', onMessage);
    socket.off('close', failed);
  });
}

export interface MemoryMB {
  rss: number;
  heapUsed: number;
}

/** The service's memory after full GCs (the probe), in MB; undefined when it does not answer in 30 s. */
export async function memoryAfterGc(service: Measured): Promise<MemoryMB | undefined> {
  const usage = await Promise.race([service.memory().catch(() => undefined), sleep(30_000, undefined, { ref: false })]);
  return usage && { rss: mb(usage.rss), heapUsed: mb(usage.heapUsed) };
}

/** The most memory `/metrics` showed, sampled every 500 ms until `done` aborts (no GC forced: what the attack held). */
export async function peakMemory(httpUrl: string, done: AbortSignal): Promise<MemoryMB> {
  const peak = { rss: 0, heapUsed: 0 };
  while (!done.aborted) {
    const text = await fetch(`${httpUrl}/metrics`, { signal: AbortSignal.timeout(2000) }).then(
      (response) => response.text(),
      () => '',
    );
    peak.rss = Math.max(peak.rss, mb(metric(text, 'process_resident_memory_bytes')));
    peak.heapUsed = Math.max(peak.heapUsed, mb(metric(text, 'nodejs_heap_size_used_bytes')));
    await sleep(500);
  }
  return peak;
}

/** The most connections open to the upstream, counted every 500 ms until `done` aborts. */
export async function peakUpstreamConnections(port: number, done: AbortSignal): Promise<number> {
  let peak = 0;
  while (!done.aborted) {
    peak = Math.max(peak, upstreamConnections(port));
    await sleep(500);
  }
  return peak;
}

/** Established TCP connections whose local end is `port` (the upstream's side of each), from /proc/net/tcp. */
export function upstreamConnections(port: number): number {
  const local = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const ESTABLISHED = '01';
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => {
      const fields = line.trim().split(/\s+/);
      return fields[1]?.endsWith(local) && fields[3] === ESTABLISHED;
    }).length;
}

function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

function mb(bytes: number): number {
  return Math.round((bytes / MB) * 10) / 10;
}
