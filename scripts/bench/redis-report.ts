/** The Redis section's table (redis-cost.ts), with issue 25's goals and whether each is met: reported, never failed on. */
import { MODES, RedisFigures } from './redis-cost';
import { round } from './stats';

const REDIS_MODES = ['redis', 'redisCluster'] as const;
/** Issue 25's goals. */
export const GOALS = { cpuPerChunkRatio: 1.3, megabytesPerConcurrentAnswer: 0.2, firstChunkOverheadMs: 0.5 };

/** The derived figures the table and docs/operating.md's sizing use, per Redis mode. */
export function redisVerdicts(f: RedisFigures) {
  const base = f.throughput.memoryLog.chunksPerCpuSecond;
  return Object.fromEntries(
    REDIS_MODES.map((mode) => {
      const chunk = f.perChunk[mode];
      return [
        mode,
        {
          /** The service's CPU per chunk with this Redis over the memory log's. */
          cpuPerChunkRatio: round(base / f.throughput[mode].chunksPerCpuSecond, 2),
          firstChunkOverheadMs: round(f.firstChunkMs[mode].p50 - f.firstChunkMs.memoryLog.p50),
          megabytesPerConcurrentAnswer: round(f.memory[mode].steadyBytesPerConcurrentAnswer / 1e6),
          /** Service cores (each at its chunks per CPU-second) one Redis core keeps up with. */
          serviceCoresPerRedisCore: round(1e6 / chunk.cpuMicros / f.throughput[mode].chunksPerCpuSecond, 1),
        },
      ];
    }),
  ) as Record<
    (typeof REDIS_MODES)[number],
    { cpuPerChunkRatio: number; firstChunkOverheadMs: number; megabytesPerConcurrentAnswer: number; serviceCoresPerRedisCore: number }
  >;
}

export function printRedis(f: RedisFigures): void {
  const row = (label: string, ...cells: (string | number)[]) =>
    console.log(`  ${label.padEnd(52)}${cells.map((c) => ` ${String(c).padStart(17)}`).join('')}`);
  const verdicts = redisVerdicts(f);
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
    `throughput on one core, chunks per CPU-s (per s)`,
    ...MODES.map((mode) => `${f.throughput[mode].chunksPerCpuSecond} (${f.throughput[mode].chunksPerSecond})`),
  );
  row('Redis commands per chunk', '', ...REDIS_MODES.map((mode) => f.perChunk[mode].commands));
  row(
    'Redis bytes in / out per chunk',
    '',
    ...REDIS_MODES.map((mode) => `${f.perChunk[mode].netInputBytes} / ${f.perChunk[mode].netOutputBytes}`),
  );
  row('Redis CPU per chunk, µs', '', ...REDIS_MODES.map((mode) => f.perChunk[mode].cpuMicros));
  row('Redis writes behind the last answer, s', '', ...REDIS_MODES.map((mode) => f.perChunk[mode].writesBehindSeconds));
  row('service cores one Redis core keeps up with', '', ...REDIS_MODES.map((mode) => verdicts[mode].serviceCoresPerRedisCore));
  row(`Redis bytes per answer, ${m.answers} at once, halfway`, '', ...REDIS_MODES.map((mode) => f.memory[mode].streamingBytesPerAnswer));
  row(
    `  … once ended (${m.chunksPerAnswer} chunks, ${m.answerSeconds} s each; ${m.servedSeconds} s served)`,
    '',
    ...REDIS_MODES.map((mode) => f.memory[mode].endedBytesPerAnswer),
  );
  row('  … kept per chunk', '', ...REDIS_MODES.map((mode) => f.memory[mode].keptBytesPerChunk));
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
    `Redis memory per concurrent answer ≤ ${GOALS.megabytesPerConcurrentAnswer} MB`,
    '',
    ...REDIS_MODES.map((mode) => verdict(verdicts[mode].megabytesPerConcurrentAnswer, GOALS.megabytesPerConcurrentAnswer, ' MB')),
  );
  row(
    `first-chunk p50 overhead ≤ ${GOALS.firstChunkOverheadMs} ms`,
    '',
    ...REDIS_MODES.map((mode) => verdict(verdicts[mode].firstChunkOverheadMs, GOALS.firstChunkOverheadMs, ' ms')),
  );
  console.log(
    `  (memory per concurrent answer: one answer slot answering back to back, the one streaming (halfway) and the ended ones kept, ${f.retentionSeconds} s ÷ ${m.answerSeconds} s of them)`,
  );
}
