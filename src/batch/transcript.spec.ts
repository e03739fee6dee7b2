import { DEFAULT_QUESTION_THRESHOLD } from '../config';
import { QuestionDetector } from '../conversation';
import { splitTranscript, transcriptQuestions } from './transcript';

const detector = new QuestionDetector({ threshold: DEFAULT_QUESTION_THRESHOLD, maxChars: 500 });

describe('splitTranscript', () => {
  it('cuts at sentence punctuation, keeping it, and at line breaks', async () => {
    expect([...splitTranscript('Hello there. How long is the refund?\nthanks\n\n  年假有几天？我知道了。')]).toEqual([
      'Hello there.',
      'How long is the refund?',
      'thanks',
      '年假有几天？',
      '我知道了。',
    ]);
  });

  it('keeps runs of punctuation with their sentence and drops empty parts', async () => {
    expect([...splitTranscript('Really?! ... \n \n ok')]).toEqual(['Really?!', '...', 'ok']);
  });

  it('does not cut inside a number or a version', async () => {
    expect([...splitTranscript('Is it 3.5 days? v1.2 is out. Ok')]).toEqual(['Is it 3.5 days?', 'v1.2 is out.', 'Ok']);
  });
});

describe('transcriptQuestions', () => {
  it('keeps only the questions', async () => {
    const transcript = 'Good morning everyone.\nHow many vacation days do I get?\nI see.\n我们下周开会。\n年假有几天？';
    expect(await transcriptQuestions(transcript, detector)).toEqual(['How many vacation days do I get?', '年假有几天？']);
  });

  it('joins an unfinished utterance with the next, as the live path does', async () => {
    expect(await transcriptQuestions('关于年假\n有几天', detector)).toEqual(['关于年假有几天']);
    expect(await transcriptQuestions('so what about the\nrefund policy?', detector)).toEqual(['so what about the refund policy?']);
  });

  it('finds nothing in small talk', async () => {
    expect(await transcriptQuestions('Thanks.\nOk.\nSee you tomorrow.', detector)).toEqual([]);
  });
});

describe('transcriptQuestions, bounded', () => {
  it('stops after `most` questions: the caller refuses a transcript with more, however long', async () => {
    expect(await transcriptQuestions('What is RAG?\n'.repeat(50_000), detector, 11)).toHaveLength(11);
  });

  it('keeps at most the last 4,000 characters of a question, as a text has at most', async () => {
    const [long] = await transcriptQuestions(`${'so the thing is '.repeat(400)}what is RAG?`, detector);
    expect(long).toHaveLength(4000);
    expect(long.endsWith('what is RAG?')).toBe(true);
  });
});
