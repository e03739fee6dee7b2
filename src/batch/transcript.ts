import { joinUtterances, QuestionDetector } from '../conversation';

/** A sentence ends at . ? ! (and their Chinese forms), kept with it; a line break ends one too. */
const SENTENCE = /[^\n.?!。？！]+[.?!。？！]*/g;

/** The utterances of a transcript: its sentences and lines, trimmed, empty ones dropped. */
export function splitTranscript(transcript: string): string[] {
  return (transcript.match(SENTENCE) ?? []).map((part) => part.trim()).filter((part) => part !== '');
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
