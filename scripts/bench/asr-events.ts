/** How a streaming ASR emits one utterance: growing partials 100–200 ms apart, then the final. */

export interface AsrEvent {
  /** ms from the turn's start; with `afterAnswer`, from the first answer text the client got. */
  at: number;
  text: string;
  isFinal: boolean;
  /** Said while the answer streams (a backchannel): timed from its first text, whenever that comes. */
  afterAnswer?: true;
}

export const PARTIAL_GAP_MS = { min: 100, max: 200 };
/** Partials of one utterance at most: a long one grows by several words a partial. */
const MAX_PARTIALS = 6;
/** A Chinese character, or a run of anything else between spaces (an English word). */
const UNIT = /[\u3400-\u9fff]|[^\s\u3400-\u9fff]+/g;
const TRAILING_PUNCTUATION = /[\s?？。，,.!！]+$/;

/**
 * One utterance from its first partial at `at`: about one partial per two words or characters (at
 * most `maxPartials`), each a longer prefix without final punctuation, then the final as said.
 */
export function utter(text: string, at: number, random: () => number, maxPartials = MAX_PARTIALS, afterAnswer = false): AsrEvent[] {
  const ends = [...text.matchAll(UNIT)].map((unit) => unit.index + unit[0].length);
  const count = Math.max(1, Math.min(maxPartials, Math.ceil(ends.length / 2)));
  const gap = () => PARTIAL_GAP_MS.min + Math.floor(random() * (PARTIAL_GAP_MS.max - PARTIAL_GAP_MS.min + 1));
  const marks = afterAnswer ? { afterAnswer: true as const } : {};
  const events: AsrEvent[] = [];
  let time = at;
  for (let i = 1; i <= count; i++) {
    const prefix = text.slice(0, ends[Math.ceil((i * ends.length) / (count + 1)) - 1]);
    events.push({ at: time, text: prefix.replace(TRAILING_PUNCTUATION, ''), isFinal: false, ...marks });
    time += gap();
  }
  events.push({ at: time, text, isFinal: true, ...marks });
  return events;
}

/** The i-th of n values spread evenly from min to max. */
export function spread(i: number, n: number, min: number, max: number): number {
  return n < 2 ? min : Math.round(min + (i * (max - min)) / (n - 1));
}
