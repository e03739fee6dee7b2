import { RoundRobin } from './round-robin';

const take = (rr: RoundRobin<string>, n: number) => Array.from({ length: n }, () => rr.next());

describe('RoundRobin', () => {
  it('gives each group a turn in rotation, however many members it has', () => {
    const rr = new RoundRobin<string>();
    for (const task of ['a1', 'a2', 'a3']) rr.add('a', task);
    rr.add('b', 'b1');
    expect(take(rr, 6)).toEqual(['a1', 'b1', 'a2', 'b1', 'a3', 'b1']);
  });

  it('rotates the members of a group', () => {
    const rr = new RoundRobin<string>();
    rr.add('a', 'a1');
    rr.add('a', 'a2');
    expect(take(rr, 3)).toEqual(['a1', 'a2', 'a1']);
  });

  it('forgets a member, and a group once its last member went', () => {
    const rr = new RoundRobin<string>();
    rr.add('a', 'a1');
    rr.add('b', 'b1');
    rr.delete('a', 'a1');
    rr.delete('a', 'missing');
    expect(take(rr, 2)).toEqual(['b1', 'b1']);
    rr.delete('b', 'b1');
    expect(rr.empty).toBe(true);
    expect(rr.next()).toBeUndefined();
  });

  it('lists every member', () => {
    const rr = new RoundRobin<string>();
    rr.add('a', 'a1');
    rr.add('b', 'b1');
    expect([...rr].sort()).toEqual(['a1', 'b1']);
  });
});
