import { ThinkingFilter, withoutThinking } from './thinking-filter';

describe('ThinkingFilter', () => {
  const text = 'Before <think>reasoning, with < and </thi in it</think>after: 知识 <b>bold</b> <thin';

  it('keeps reasoning out of the answer, the text around it exact', () => {
    expect(withoutThinking(text)).toBe('Before after: 知识 <b>bold</b> <thin');
  });

  it('gives the same answer however the text is cut into pieces', () => {
    for (let a = 0; a <= text.length; a++) {
      for (let b = a; b <= text.length; b += 3) {
        const filter = new ThinkingFilter();
        const out = filter.push(text.slice(0, a)) + filter.push(text.slice(a, b)) + filter.push(text.slice(b)) + filter.flush();
        expect(out).toBe('Before after: 知识 <b>bold</b> <thin');
      }
    }
  });

  it('tells when reasoning starts and ends, and drops reasoning that never closes', () => {
    const states: string[] = [];
    const filter = new ThinkingFilter((state) => states.push(state));
    expect(filter.push('<think>a</think>b<think>c') + filter.flush()).toBe('b');
    expect(states).toEqual(['started', 'finished', 'started']);
  });
});
