/** The attack figures (under-attack.ts) as a table: latency for everyone else, what it cost the service, what the attacker counted. */
import { AttackFigure } from './under-attack';

export function printAttacks(figures: Record<string, AttackFigure>, seconds: number): void {
  console.log(`under attack (each ${seconds} s, default limits), ms and MB`);
  const row = (label: string, ...cells: (string | number)[]) =>
    console.log(`  ${label.slice(0, 60).padEnd(62)}${cells.map((c) => String(c).padStart(11)).join('')}`);
  row('', 'health p50', 'p99', 'bystander', 'p99', 'survived', 'heap kept', 'heap peak', 'RSS peak', 'upstream');
  for (const [name, f] of Object.entries(figures)) {
    const { before, peak, after } = f.memoryMB;
    const growth = (to?: number, from?: number) => (to === undefined || from === undefined ? '-' : `+${Math.round(to - from)}`);
    row(
      name,
      f.healthMs.p50,
      f.healthMs.p99,
      f.bystanderFirstChunkMs.p50,
      f.bystanderFirstChunkMs.p99,
      f.survived ? 'yes' : 'NO',
      growth(after?.heapUsed, before?.heapUsed),
      growth(peak.heapUsed, before?.heapUsed),
      growth(peak.rss, before?.rss),
      f.upstreamConnections.max,
    );
    const failures = [
      f.healthFailures && `${f.healthFailures} health probes failed`,
      f.bystanderFailures && `${f.bystanderFailures} bystander questions failed`,
      (f.errorLogs.errors || f.errorLogs.stacks) && `${f.errorLogs.errors} error logs, ${f.errorLogs.stacks} with a stack`,
      f.keptPerCycleMB && `kept per cycle: heap ${f.keptPerCycleMB.heapUsed} MB, RSS ${f.keptPerCycleMB.rss} MB`,
      f.peakPerHeldKB && `peak per one held open: heap ${f.peakPerHeldKB.heapUsed} KB, RSS ${f.peakPerHeldKB.rss} KB`,
    ].filter(Boolean);
    if (failures.length) console.log(`      ${failures.join('; ')}`);
    if (f.attacker && Object.keys(f.attacker).length) console.log(`      attacker: ${JSON.stringify(f.attacker)}`);
  }
}
