/**
 * The question detector on the command line: one utterance per input line (blank lines skipped), one
 * JSON verdict per output line, {"text","is_question","score","reasons"}, raw UTF-8. The detector
 * already rounds the score to 3 decimals. QUESTION_THRESHOLD and MAX_QUESTION_CHARS apply as in the service.
 *   printf '什么是 RAG\nok\n' | npm run --silent detect
 */
import { createInterface } from 'node:readline';
import { turnConfig } from '../src/config';
import { detectorFor } from '../src/conversation/question-detector';

const detector = detectorFor(turnConfig());
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });

lines.on('line', (line) => {
  const text = line.trim();
  if (!text) return;
  const { isQuestion, score, reasons } = detector.detect(text);
  process.stdout.write(`${JSON.stringify({ text, is_question: isQuestion, score, reasons })}\n`);
});
