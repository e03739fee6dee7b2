import { FairTurns } from './fair-turns';

describe('FairTurns.of', () => {
  it("puts a new task's items one turn apart from the turn after the one being served", () => {
    expect([0, 1, 2].map((i) => FairTurns.of(10, i, 1))).toEqual([11, 12, 13]);
  });

  it('spaces the items of a principal with several open tasks by that many turns', () => {
    expect([0, 1, 2].map((i) => FairTurns.of(10, i, 3))).toEqual([11, 14, 17]);
  });

  it("keeps within BullMQ's priorities", () => {
    expect(FairTurns.of(2 ** 21, 5, 1)).toBe(2 ** 21 - 1);
  });
});
