import { questionWait, WaitPolicy } from './question-wait';

const ADAPTIVE: WaitPolicy = { policy: 'adaptive', threshold: 0.5, waitMs: 800, punctuatedWaitMs: 300, sureWaitMs: 0, unsureWaitMs: 250 };
const sure = (score: number) => ({ score, unfinished: false });

describe('questionWait', () => {
  it('keeps the fixed waits with TURN_POLICY=fixed, whatever the score', () => {
    const fixed: WaitPolicy = { ...ADAPTIVE, policy: 'fixed' };
    expect(questionWait('年假有几天', sure(1), fixed)).toBe(800);
    expect(questionWait('年假有几天？', sure(0.5), fixed)).toBe(300);
  });

  it('scales the adaptive wait by confidence, squared: the unsure wait at the threshold, the sure one at 1', () => {
    expect(questionWait('what is RAG', sure(0.5), ADAPTIVE)).toBe(250);
    expect(questionWait('what is RAG', sure(0.7), ADAPTIVE)).toBe(90);
    expect(questionWait('what is RAG', sure(1), ADAPTIVE)).toBe(0);
    expect(questionWait('what is RAG', sure(0.2), ADAPTIVE)).toBe(250);
    expect(questionWait('what is RAG', sure(0.7), { ...ADAPTIVE, sureWaitMs: 50 })).toBe(122);
  });

  it('caps it after a question mark, and waits QUESTION_WAIT_MS for an unfinished question', () => {
    expect(questionWait('what is RAG?', sure(0.5), { ...ADAPTIVE, punctuatedWaitMs: 100 })).toBe(100);
    expect(questionWait('what about the', { score: 0.9, unfinished: true }, ADAPTIVE)).toBe(800);
  });
});
