import { AnswerSlots } from './answer-slots';

describe('AnswerSlots', () => {
  const slots = () => new AnswerSlots({ total: 4, perPrincipal: 2, batch: 1 });

  it("refuses a principal past its share and leaves the others' room untouched", () => {
    const s = slots();
    expect(s.take('a', 'live')).toBeDefined();
    expect(s.take('a', 'live')).toBeDefined();
    expect(s.take('a', 'live')).toBeUndefined();
    expect(s.take('b', 'live')).toBeDefined();
    expect(s.size).toBe(3);
  });

  it('refuses everyone once every slot is taken', () => {
    const s = slots();
    for (const principal of ['a', 'a', 'b', 'b']) expect(s.take(principal, 'live')).toBeDefined();
    expect(s.take('c', 'live')).toBeUndefined();
  });

  it('keeps batch items within their share, and a live answer of the same principal still fits', () => {
    const s = slots();
    expect(s.take('a', 'batch')).toBeDefined();
    expect(s.take('b', 'batch')).toBeUndefined();
    expect(s.take('a', 'live')).toBeDefined();
  });

  it('frees a slot once, however often its release is called', () => {
    const s = slots();
    const free = s.take('a', 'batch')!;
    s.take('a', 'live');
    free();
    free();
    expect(s.size).toBe(1);
    expect(s.take('a', 'batch')).toBeDefined();
    expect(s.take('a', 'live')).toBeUndefined();
  });
});
