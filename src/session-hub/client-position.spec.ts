import { ClientPosition } from './client-position';

describe('ClientPosition', () => {
  it('skips the logged text the client already holds, also when the log lags it, by code points', () => {
    const position = new ClientPosition(3); // the client holds "你好😀"
    expect(position.lacks('你', false)).toBeUndefined();
    expect(position.lacks('好😀世', false)).toBe('世');
    expect(position.lacks('界', false)).toBe('界');
    expect(position.rest('你好😀世界！')).toBe('！');
  });

  it('sends a replacement whole, and counts from it', () => {
    const position = new ClientPosition(10);
    expect(position.lacks('Sorry.', true)).toBe('Sorry.');
    expect(position.lacks(' No.', false)).toBe(' No.');
    expect(position.rest('Sorry. No.')).toBeUndefined();
  });
});
