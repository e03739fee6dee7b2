import { nestsDeeperThan } from './json-depth';

describe('nestsDeeperThan', () => {
  it('counts objects and arrays, the outer object as level 1', () => {
    expect(nestsDeeperThan('{"type":"keepalive"}', 1)).toBe(false);
    expect(nestsDeeperThan('{"a":[{"b":1}]}', 3)).toBe(false);
    expect(nestsDeeperThan('{"a":[{"b":[]}]}', 3)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(nestsDeeperThan(JSON.stringify({ text: '[[[[{{{{' }), 1)).toBe(false);
    expect(nestsDeeperThan(JSON.stringify({ text: 'say \\"[[[[\\" now' }), 1)).toBe(false);
    expect(nestsDeeperThan('{"t":"\\\\"}', 1)).toBe(false);
  });

  it('finds the depth of siblings, not their sum', () => {
    expect(nestsDeeperThan(`{"a":${'[1],'.repeat(1000)}[]}`, 2)).toBe(false);
  });

  it('refuses thousands of levels without recursing', () => {
    expect(nestsDeeperThan('['.repeat(100_000), 8)).toBe(true);
    expect(nestsDeeperThan(`{"a":${'['.repeat(30_000)}${']'.repeat(30_000)}}`, 8)).toBe(true);
  });
});
