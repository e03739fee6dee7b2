/**
 * Scores the question detector on the labelled set (test/fixtures/question-detection.tsv):
 * precision, recall, F1 and false-trigger rate, overall and per slice; then on the held-out set.
 *   npm run eval:detector [-- --verbose]     (exits 1 when a gate fails on the labelled set)
 */
import { QuestionDetector } from '../src/conversation/question-detector';
import { evaluate, FIXTURE, gateFailures, GATES, HOLDOUT, LabelledUtterance, loadFixture, SliceScore } from './detector-evaluation';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(7);

function table(title: string, scores: SliceScore[]): void {
  console.log(`\n${title}\nslice          n   precision  recall      F1  false triggers`);
  for (const s of scores) {
    console.log(`${s.slice.padEnd(12)} ${String(s.utterances).padStart(4)}   ${pct(s.precision)} ${pct(s.recall)} ${pct(s.f1)}  ${pct(s.falseTriggerRate)}`);
  }
  if (process.argv.includes('--verbose')) {
    for (const u of scores[0].misses) console.log(`  missed:        ${u.text}`);
    for (const u of scores[0].falseTriggers) console.log(`  false trigger: ${u.text}`);
  }
}

/** Mean time per utterance over repeated passes (a measurement, never a test). */
function microsecondsPerUtterance(utterances: LabelledUtterance[]): number {
  const detector = new QuestionDetector();
  const passes = 200;
  const started = process.hrtime.bigint();
  for (let pass = 0; pass < passes; pass++) for (const u of utterances) detector.detect(u.text);
  return Number(process.hrtime.bigint() - started) / 1000 / (passes * utterances.length);
}

const labelled = loadFixture(FIXTURE);
const scores = evaluate(labelled);
table('labelled set (test/fixtures/question-detection.tsv)', scores);
table('held-out set (test/fixtures/question-detection-holdout.tsv, never tuned on)', evaluate(loadFixture(HOLDOUT)));
console.log(`\ndetector time: ${microsecondsPerUtterance(labelled).toFixed(2)} µs per utterance (mean)`);
const failures = gateFailures(scores);
console.log(`gates: overall F1 ≥ ${GATES.overallF1}, every slice ≥ ${GATES.sliceF1}: ${failures.length ? `FAILED (${failures.join(', ')})` : 'passed'}`);
process.exit(failures.length ? 1 : 0);
