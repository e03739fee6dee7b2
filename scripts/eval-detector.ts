/**
 * Scores the question detector on the labelled set (test/fixtures/question-detection.tsv):
 * precision, recall, F1 and false-trigger rate, overall and per slice.
 *   npm run eval:detector [-- --verbose]     (exits 1 when a gate fails)
 */
import { evaluate, gateFailures, GATES, loadFixture } from './detector-evaluation';

const scores = evaluate(loadFixture());
const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(7);
console.log('slice          n   precision  recall      F1  false triggers');
for (const s of scores) {
  console.log(`${s.slice.padEnd(12)} ${String(s.utterances).padStart(4)}   ${pct(s.precision)} ${pct(s.recall)} ${pct(s.f1)}  ${pct(s.falseTriggerRate)}`);
}
if (process.argv.includes('--verbose')) {
  const overall = scores[0];
  for (const u of overall.misses) console.log(`missed:        ${u.text}`);
  for (const u of overall.falseTriggers) console.log(`false trigger: ${u.text}`);
}
const failures = gateFailures(scores);
console.log(`gates: overall F1 ≥ ${GATES.overallF1}, every slice ≥ ${GATES.sliceF1}: ${failures.length ? `FAILED (${failures.join(', ')})` : 'passed'}`);
process.exit(failures.length ? 1 : 0);
