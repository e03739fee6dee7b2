/** The Redis section's table (redis-cost.ts), with issue 25's goals and whether each is met: reported, never failed on. */
import { GOALS, MODES, REDIS_MODES, RedisFigures } from './redis-cost';

export function printRedis(f: RedisFigures): void {
  const row = (label: string, ...cells: (string | number)[]) =>
    console.log(`  ${label.padEnd(52)}${cells.map((c) => ` ${String(c).padStart(17)}`).join('')}`);
  const verdicts = f.verdicts;
  const [m] = Object.values(f.memory);
  console.log(
    `Redis cost: the memory answer log, a standalone Redis and a 3-master Cluster, at their defaults (retention ${f.retentionSeconds} s)`,
  );
  row('', ...MODES);
  row(
    `first answer chunk p50 / p99, ms (${f.rounds} rounds)`,
    ...MODES.map((mode) => `${f.firstChunkMs[mode].p50} / ${f.firstChunkMs[mode].p99}`),
  );
  row(
    `  … at a model's pace, ${f.paced.throughput.memoryLog.concurrency} answers at once`,
    ...MODES.map((mode) => `${f.paced.firstChunkMs[mode].p50} / ${f.paced.firstChunkMs[mode].p99}`),
  );
  row(
    `throughput on one core, chunks per CPU-s (per s)`,
    ...MODES.map((mode) => `${f.throughput[mode].chunksPerCpuSecond} (${f.throughput[mode].chunksPerSecond})`),
  );
  row(
    `  … at a model's pace, ${f.paced.throughput.memoryLog.concurrency} answers at once`,
    ...MODES.map((mode) => `${f.paced.throughput[mode].chunksPerCpuSecond} (${f.paced.throughput[mode].chunksPerSecond})`),
  );
  row(
    '  … the service busy, share of its core (unpaced / paced)',
    ...MODES.map((mode) => `${f.throughput[mode].cpuBusy} / ${f.paced.throughput[mode].cpuBusy}`),
  );
  row(
    'Redis commands per chunk (unpaced / paced)',
    '',
    ...REDIS_MODES.map((mode) => `${f.perChunk[mode].commands} / ${f.paced.perChunk[mode].commands}`),
  );
  row(
    'Redis bytes in / out per chunk',
    '',
    ...REDIS_MODES.map((mode) => `${f.perChunk[mode].netInputBytes} / ${f.perChunk[mode].netOutputBytes}`),
  );
  row(
    'Redis CPU per chunk, µs (unpaced / paced)',
    '',
    ...REDIS_MODES.map((mode) => `${f.perChunk[mode].cpuMicros} / ${f.paced.perChunk[mode].cpuMicros}`),
  );
  row('Redis writes behind the last answer, s', '', ...REDIS_MODES.map((mode) => f.perChunk[mode].writesBehindSeconds));
  row('service cores one Redis core keeps up with', '', ...REDIS_MODES.map((mode) => verdicts[mode].serviceCoresPerRedisCore));
  row(`Redis bytes per answer, ${m.answers} at once, halfway`, '', ...REDIS_MODES.map((mode) => f.memory[mode].streamingBytesPerAnswer));
  row(
    `  … once ended (${m.chunksPerAnswer} chunks, ${m.answerSeconds} s each; ${m.servedSeconds} s served)`,
    '',
    ...REDIS_MODES.map((mode) => f.memory[mode].endedBytesPerAnswer),
  );
  row('  … kept per chunk', '', ...REDIS_MODES.map((mode) => f.memory[mode].keptBytesPerChunk));
  row(
    "  … of it the answer logs' keys, halfway / ended",
    '',
    ...REDIS_MODES.map((mode) => `${f.memory[mode].answerLogStreamingBytesPerAnswer} / ${f.memory[mode].answerLogEndedBytesPerAnswer}`),
  );
  for (const mode of REDIS_MODES) {
    const commands = Object.entries(f.perChunk[mode].byCommand).map(([command, calls]) => `${command} ${calls}`);
    console.log(`  ${mode} commands per chunk: ${commands.join(', ')}`);
  }
  console.log(`goals (issue 25), reported, not enforced`);
  row('', '', ...REDIS_MODES);
  const verdict = (value: number, goal: number, unit: string) => `${value}${unit} ${value <= goal ? 'met' : 'not met'}`;
  row(
    `service CPU per chunk ≤ ${GOALS.cpuPerChunkRatio}× the memory log's`,
    '',
    ...REDIS_MODES.map((mode) => verdict(verdicts[mode].cpuPerChunkRatio, GOALS.cpuPerChunkRatio, '×')),
  );
  row(
    `  … at a model's pace`,
    '',
    ...REDIS_MODES.map((mode) => verdict(verdicts[mode].pacedCpuPerChunkRatio, GOALS.cpuPerChunkRatio, '×')),
  );
  row(
    `Redis memory per concurrent answer (answer log) ≤ ${GOALS.megabytesPerConcurrentAnswer} MB`,
    '',
    ...REDIS_MODES.map((mode) => verdict(verdicts[mode].answerLogMegabytesPerConcurrentAnswer, GOALS.megabytesPerConcurrentAnswer, ' MB')),
  );
  row(
    "  … all of used_memory (sessions, Redis's own)",
    '',
    ...REDIS_MODES.map((mode) => `${verdicts[mode].megabytesPerConcurrentAnswer} MB`),
  );
  row(
    `first-chunk p50 overhead ≤ ${GOALS.firstChunkOverheadMs} ms`,
    '',
    ...REDIS_MODES.map((mode) => verdict(verdicts[mode].firstChunkOverheadMs, GOALS.firstChunkOverheadMs, ' ms')),
  );
  row(
    `  … at a model's pace`,
    '',
    ...REDIS_MODES.map((mode) => verdict(verdicts[mode].pacedFirstChunkOverheadMs, GOALS.firstChunkOverheadMs, ' ms')),
  );
  console.log(
    `  (memory per concurrent answer: one answer slot answering back to back, the one streaming (halfway) and the ended ones kept, ${f.retentionSeconds} s ÷ ${m.answerSeconds} s of them)`,
  );
}
