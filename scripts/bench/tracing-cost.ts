/**
 * What tracing costs: the service with tracing off (no OTEL_* variable: no SDK), and on, exporting
 * OTLP/HTTP to a receiver in this process that keeps every span (a collector that answers at once),
 * sampling one answer in ten (`parentbased_traceidratio`, 0.1) and every answer. First answer chunk
 * one question at a time (rounds interleaved), and chunks relayed per CPU-second with 50 sockets
 * asking back to back, as in the main run.
 */
import { LocalDifyServer } from '../../src/local-dify';
import { OtlpReceiver } from '../../test/support/otlp-receiver';
import { streamDirect } from './clients';
import { firstChunkLatency, throughput } from './measurements';
import { Placement, startService } from './processes';

const KEY = 'app-bench';
const SOCKETS = 50;

export interface TracingFigures {
  firstChunkMs: Awaited<ReturnType<typeof firstChunkLatency>>;
  throughput: Record<string, Awaited<ReturnType<typeof throughput>>>;
  /** Spans the receiver got from the traced services. */
  spansExported: number;
}

export async function tracingFigures(servers: Placement, rounds: number, seconds: number): Promise<TracingFigures> {
  const paced = new LocalDifyServer({ apiKeys: [KEY], firstChunkDelayMs: 0, chunkDelayMs: 2, chunkChars: 6 });
  const flat = new LocalDifyServer({ apiKeys: [KEY], firstChunkDelayMs: 0, chunkDelayMs: 0, chunkChars: 2 });
  const receiver = new OtlpReceiver();
  const [pacedUrl, flatUrl, endpoint] = [(await paced.listen()).baseUrl, (await flat.listen()).baseUrl, await receiver.listen()];
  let chunksPerAnswer = 0;
  await streamDirect(flatUrl, KEY, () => chunksPerAnswer++);
  const traced = (ratio: string) => ({
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: ratio,
  });
  // One after the other, as the main run starts its processes.
  const variants = async (url: string) => [
    await startService(url, KEY, servers, {}, 'tracingOff'),
    await startService(url, KEY, servers, traced('0.1'), 'tracing10pc'),
    await startService(url, KEY, servers, traced('1'), 'tracing100pc'),
  ];
  const [pacedTargets, flatTargets] = [await variants(pacedUrl), await variants(flatUrl)];
  try {
    const firstChunkMs = await firstChunkLatency(pacedUrl, KEY, pacedTargets, rounds);
    const figures: TracingFigures['throughput'] = {};
    for (const target of flatTargets) figures[target.name] = await throughput(target, SOCKETS, seconds, chunksPerAnswer);
    return { firstChunkMs, throughput: figures, spansExported: receiver.spans.length };
  } finally {
    for (const target of [...pacedTargets, ...flatTargets]) target.stop();
    await Promise.all([paced.close(), flat.close(), receiver.close()]);
  }
}

export function printTracing(f: TracingFigures, rounds: number): void {
  const row = (label: string, ...cells: (string | number)[]) =>
    console.log(`  ${label.padEnd(34)}${cells.map((c) => String(c).padStart(12)).join('')}`);
  console.log(`tracing cost: first answer chunk, ms (${rounds} interleaved rounds), and throughput on one core (${SOCKETS} sockets)`);
  row('', 'first p50', 'first p99', 'chunks/s', 'per CPU-s');
  for (const name of Object.keys(f.throughput)) {
    const first = f.firstChunkMs[name];
    const t = f.throughput[name];
    row(name, first.p50, first.p99, t.chunksPerSecond, t.chunksPerCpuSecond);
  }
  console.log(`  (${f.spansExported} spans exported by the traced services)`);
}
