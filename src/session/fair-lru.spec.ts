import { FairLru } from './fair-lru';

describe('FairLru', () => {
  it("evicts the least recently used entry of whoever holds the most, never a smaller holder's", () => {
    const lru = new FairLru<number>();
    lru.set('b1', 'b', 0);
    for (let i = 0; i < 10; i++) lru.set(`a${i}`, 'a', i);
    expect(lru.evictBeyond(4).map(([key]) => key)).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6']);
    expect(lru.get('b1')).toBe(0);
    expect([...lru].map(([key]) => key)).toEqual(['b1', 'a7', 'a8', 'a9']);
  });

  it('keeps a touched entry longer', () => {
    const lru = new FairLru<number>();
    lru.set('a1', 'a', 1);
    lru.set('a2', 'a', 2);
    lru.set('a1', 'a', 3);
    expect(lru.evictBeyond(1)).toEqual([['a2', 2]]);
  });

  it('evicts from each holder once they hold the same', () => {
    const lru = new FairLru<number>();
    for (const key of ['a1', 'b1', 'a2', 'b2']) lru.set(key, key[0], 0);
    expect(lru.evictBeyond(2).map(([key]) => key)).toEqual(['a1', 'b1']);
  });

  it('forgets a deleted entry', () => {
    const lru = new FairLru<number>();
    lru.set('a1', 'a', 1);
    lru.delete('a1');
    lru.delete('a1');
    expect(lru.size).toBe(0);
    expect(lru.evictBeyond(0)).toEqual([]);
  });
});
