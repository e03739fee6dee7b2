/**
 * Scores the question detector on the labelled set (test/fixtures/question-detection.tsv):
 * precision, recall, F1 and false-trigger rate, overall and per slice; then on the held-out set.
 *   npm run eval:detector [-- --verbose]     (exits 1 when a gate fails on the labelled set)
 */
import { detectorTime, evaluate, FIXTURE, gateFailures, GATES, HOLDOUT, loadFixture, SliceScore } from './detector-evaluation';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(7);

function table(title: string, scores: SliceScore[]): void {
  console.log(`\n${title}\nslice          n   precision  recall      F1  false triggers`);
  for (const s of scores) {
    console.log(
      `${s.slice.padEnd(12)} ${String(s.utterances).padStart(4)}   ${pct(s.precision)} ${pct(s.recall)} ${pct(s.f1)}  ${pct(s.falseTriggerRate)}`,
    );
  }
  if (process.argv.includes('--verbose')) {
    for (const u of scores[0].misses) console.log(`  missed:        ${u.text}`);
    for (const u of scores[0].falseTriggers) console.log(`  false trigger: ${u.text}`);
  }
}

const labelled = loadFixture(FIXTURE);
const scores = evaluate(labelled);
table('labelled set (test/fixtures/question-detection.tsv)', scores);
table('held-out set (test/fixtures/question-detection-holdout.tsv, never tuned on)', evaluate(loadFixture(HOLDOUT)));
const time = detectorTime(labelled);
console.log(`\ndetector time per utterance: mean ${time.meanMicros} µs, p50 ${time.p50Micros} µs, p99 ${time.p99Micros} µs`);
const failures = gateFailures(scores);
console.log(
  `gates: overall F1 ≥ ${GATES.overallF1}, every slice ≥ ${GATES.sliceF1}: ${failures.length ? `FAILED (${failures.join(', ')})` : 'passed'}`,
);
process.exit(failures.length ? 1 : 0);
