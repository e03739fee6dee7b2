import { UnsettledFinals } from './unsettled-finals.ts';

describe('UnsettledFinals', () => {
  it('keeps the finals sent until a status settles them: asked, no question in them, or ignored while paused', () => {
    for (const stage of ['querying_rag', 'waiting_for_question', 'paused'] as const) {
      const finals = new UnsettledFinals(10);
      finals.sent('请问年假');
      finals.sent('有几天？');
      finals.status('analyzing');
      finals.status('idle');
      expect(finals.take()).toEqual(['请问年假', '有几天？']);
      finals.sent('有几天？');
      finals.status(stage);
      expect(finals.take()).toEqual([]);
    }
  });

  it('is bounded: the oldest go first', () => {
    const finals = new UnsettledFinals(2);
    for (const text of ['一', '二', '三']) finals.sent(text);
    expect(finals.take()).toEqual(['二', '三']);
  });
});
