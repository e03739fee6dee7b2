import { setImmediate as nextTurn } from 'node:timers/promises';
import { joinUtterances, QuestionDetector } from '../conversation';
import { MAX_TEXT_CHARS } from './create-task.dto';

/**
 * Where a sentence ends: after ? ! 。 ？ ！ (a run of them kept together), after a full stop before a
 * space (not inside "3.5" or "v1.2"), and at a line break.
 */
const SENTENCE_END = /\n|(?<=[?!。？！])(?![?!。？！])|(?<=\.)(?=\s)/g;
/** Utterances looked at between two turns of the event loop: a transcript of megabytes takes seconds. */
const UTTERANCES_PER_TURN = 2000;

/** The utterances of a transcript, one at a time: its sentences and lines, trimmed, empty ones dropped. */
export function* splitTranscript(transcript: string): Generator<string> {
  let start = 0;
  for (const end of transcript.matchAll(SENTENCE_END)) {
    const part = transcript.slice(start, end.index).trim();
    start = end.index + end[0].length;
    if (part !== '') yield part;
  }
  const last = transcript.slice(start).trim();
  if (last !== '') yield last;
}

/**
 * The questions of a transcript, as the live path hears them: an unfinished utterance ("关于年假",
 * "what about the") joins the next one, and only what the detector finds to be a question is kept.
 * A question is at most MAX_TEXT_CHARS long, as a text is (its end kept, where it is asked); an
 * unfinished run that long is let go. Stops after `most` questions (the caller refuses more), and
 * lets other work run every UTTERANCES_PER_TURN utterances.
 */
export async function transcriptQuestions(transcript: string, detector: QuestionDetector, most = Infinity): Promise<string[]> {
  const questions: string[] = [];
  let unfinished: string | undefined;
  let looked = 0;
  for (const said of splitTranscript(transcript)) {
    if (++looked % UTTERANCES_PER_TURN === 0) await nextTurn();
    const text = unfinished === undefined ? said : joinUtterances(unfinished, said);
    const verdict = detector.detect(text);
    unfinished = verdict.unfinished && text.length < MAX_TEXT_CHARS ? text : undefined;
    if (verdict.isQuestion) questions.push(text.slice(-MAX_TEXT_CHARS));
    if (questions.length >= most) break;
  }
  return questions;
}
