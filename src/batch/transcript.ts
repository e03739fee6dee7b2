import { joinUtterances, QuestionDetector } from '../conversation';

/**
 * Where a sentence ends: after ? ! 。 ？ ！ (a run of them kept together), after a full stop before a
 * space (not inside "3.5" or "v1.2"), and at a line break.
 */
const SENTENCE_END = /\n|(?<=[?!。？！])(?![?!。？！])|(?<=\.)(?=\s)/;

/** The utterances of a transcript: its sentences and lines, trimmed, empty ones dropped. */
export function splitTranscript(transcript: string): string[] {
  return transcript
    .split(SENTENCE_END)
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/**
 * The questions of a transcript, as the live path hears them: an unfinished utterance ("关于年假",
 * "what about the") joins the next one, and only what the detector finds to be a question is kept.
 */
export function transcriptQuestions(transcript: string, detector: QuestionDetector): string[] {
  const questions: string[] = [];
  let unfinished: string | undefined;
  for (const said of splitTranscript(transcript)) {
    const text = unfinished === undefined ? said : joinUtterances(unfinished, said);
    const verdict = detector.detect(text);
    unfinished = verdict.unfinished ? text : undefined;
    if (verdict.isQuestion) questions.push(text);
  }
  return questions;
}
