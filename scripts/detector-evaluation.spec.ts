import { evaluate, gateFailures, loadFixture } from './detector-evaluation';

describe('question detector evaluation gate', () => {
  const utterances = loadFixture();

  it('has at least 500 labelled utterances, every question also without its question mark', () => {
    expect(utterances.length).toBeGreaterThanOrEqual(500);
    const texts = new Set(utterances.map((u) => u.text));
    const questionsWithMark = utterances.filter((u) => u.question && /[?？]$/.test(u.text));
    for (const q of questionsWithMark) expect(texts).toContain(q.text.replace(/[?？]$/, ''));
    for (const lang of ['zh', 'en', 'mixed']) expect(utterances.filter((u) => u.lang === lang).length).toBeGreaterThan(50);
  });

  it('meets the F1 gates overall (0.95) and on every slice (0.90)', () => {
    const scores = evaluate(utterances);
    expect(gateFailures(scores)).toEqual([]);
  });

  it('computes precision and recall from the verdicts it is given', () => {
    const [overall] = evaluate([
      { question: true, lang: 'en', punctuated: true, text: 'What is RAG?' },
      { question: true, lang: 'en', punctuated: false, text: 'whatever' },
      { question: false, lang: 'en', punctuated: false, text: 'ok' },
    ]);
    expect(overall).toMatchObject({ precision: 1, recall: 0.5, falseTriggerRate: 0 });
    expect(overall.f1).toBeCloseTo(2 / 3);
  });
});
