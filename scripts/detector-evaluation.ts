import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { turnConfig } from '../src/config';
import { detectorFor, QuestionDetector } from '../src/conversation/question-detector';
import { round, stats } from './bench/stats';

export interface LabelledUtterance {
  question: boolean;
  lang: 'zh' | 'en' | 'mixed';
  punctuated: boolean;
  text: string;
}

export interface SliceScore {
  slice: string;
  utterances: number;
  precision: number;
  recall: number;
  f1: number;
  /** Share of non-questions the detector would answer. */
  falseTriggerRate: number;
  misses: LabelledUtterance[];
  falseTriggers: LabelledUtterance[];
}

export const FIXTURE = join(__dirname, '..', 'test', 'fixtures', 'question-detection.tsv');
/** Written after the detector was tuned, and never tuned on: how well it generalises. */
export const HOLDOUT = join(__dirname, '..', 'test', 'fixtures', 'question-detection-holdout.tsv');
/** CI fails below these. */
export const GATES = { overallF1: 0.95, sliceF1: 0.9 };

export function loadFixture(path = FIXTURE): LabelledUtterance[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line && !line.startsWith('#') && !line.startsWith('label\t'))
    .map((line) => {
      const [label, lang, punct, text] = line.split('\t');
      return { question: label === 'question', lang: lang as LabelledUtterance['lang'], punctuated: punct === 'p', text };
    });
}

/** Scores the detector overall and per slice: language, and with or without punctuation. */
/** The detector as the service would run it, with QUESTION_THRESHOLD and MAX_QUESTION_CHARS from the environment. */
export const configuredDetector = (): QuestionDetector => detectorFor(turnConfig());

export function evaluate(utterances: LabelledUtterance[], detector = configuredDetector()): SliceScore[] {
  const verdicts = utterances.map((u) => ({ u, said: detector.detect(u.text).isQuestion }));
  const slices: Array<[string, (u: LabelledUtterance) => boolean]> = [
    ['overall', () => true],
    ['zh', (u) => u.lang === 'zh'],
    ['en', (u) => u.lang === 'en'],
    ['mixed', (u) => u.lang === 'mixed'],
    ['punctuated', (u) => u.punctuated],
    ['unpunctuated', (u) => !u.punctuated],
  ];
  return slices.map(([slice, member]) => {
    const inSlice = verdicts.filter(({ u }) => member(u));
    const misses = inSlice.filter(({ u, said }) => u.question && !said).map(({ u }) => u);
    const falseTriggers = inSlice.filter(({ u, said }) => !u.question && said).map(({ u }) => u);
    const truePositives = inSlice.filter(({ u, said }) => u.question && said).length;
    const precision = ratio(truePositives, truePositives + falseTriggers.length);
    const recall = ratio(truePositives, truePositives + misses.length);
    const negatives = inSlice.filter(({ u }) => !u.question).length;
    return {
      slice,
      utterances: inSlice.length,
      precision,
      recall,
      f1: ratio(2 * precision * recall, precision + recall),
      falseTriggerRate: ratio(falseTriggers.length, negatives, 0),
      misses,
      falseTriggers,
    };
  });
}

/** The slices that fail the gates. */
export function gateFailures(scores: SliceScore[]): string[] {
  return scores
    .filter((s) => s.f1 < (s.slice === 'overall' ? GATES.overallF1 : GATES.sliceF1))
    .map((s) => `${s.slice}: F1 ${s.f1.toFixed(3)}`);
}

function ratio(a: number, b: number, empty = 1): number {
  return b === 0 ? empty : a / b;
}

/** Time per utterance (each utterance's mean over repeated passes): a measurement, never a test. */
export function detectorTime(utterances: LabelledUtterance[], passes = 200) {
  const detector = configuredDetector();
  const totals = new Array<number>(utterances.length).fill(0);
  for (let pass = 0; pass < passes; pass++) {
    utterances.forEach((u, i) => {
      const started = process.hrtime.bigint();
      detector.detect(u.text);
      totals[i] += Number(process.hrtime.bigint() - started);
    });
  }
  const micros = totals.map((nanos) => nanos / 1000 / passes);
  const { p50, p99 } = stats(micros);
  const mean = micros.reduce((a, b) => a + b, 0) / micros.length;
  return { utterances: utterances.length, meanMicros: round(mean, 2), p50Micros: round(p50, 2), p99Micros: round(p99, 2) };
}
