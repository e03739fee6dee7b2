import { AppEntry } from '../config';
import { AppRegistry } from './app-registry';

const entry = (principals?: string[]): AppEntry => ({ provider: 'dify', baseUrl: 'http://x/v1', apiKey: 'k', inputs: {}, principals });

describe('AppRegistry.choose', () => {
  const registry = new AppRegistry({
    apps: new Map([
      ['hr', entry()],
      ['it', entry(['acme'])],
      ['sales', entry(['globex'])],
    ]),
    defaultApp: 'hr',
  });

  it('gives the app requested when the principal may use it, DEFAULT_APP when none is', () => {
    expect(registry.choose('acme', undefined, 'it')).toBe('it');
    expect(registry.choose('acme', undefined, undefined)).toBe('hr');
    expect(registry.usableBy('acme')).toEqual(['hr', 'it']);
  });

  it('refuses an unknown app and one the principal may not use alike', () => {
    expect(registry.choose('globex', undefined, 'it')).toBeUndefined();
    expect(registry.choose('acme', undefined, 'nope')).toBeUndefined();
    expect(registry.choose('acme', undefined, '')).toBeUndefined();
  });

  it("keeps a token's pinned app: the same app may be named, never another", () => {
    expect(registry.choose('acme', 'it', undefined)).toBe('it');
    expect(registry.choose('acme', 'it', 'it')).toBe('it');
    expect(registry.choose('acme', 'it', 'hr')).toBeUndefined();
    // A pin does not open an app the principal may not use.
    expect(registry.choose('globex', 'it', undefined)).toBeUndefined();
  });

  it('gives a principal who may not use DEFAULT_APP its one app, and nothing when it has several or none', () => {
    const restricted = new AppRegistry({
      apps: new Map([
        ['hr', entry(['acme'])],
        ['it', entry(['globex'])],
        ['sales', entry(['globex'])],
      ]),
      defaultApp: 'hr',
    });
    expect(restricted.choose('initech', undefined, undefined)).toBeUndefined();
    expect(restricted.choose('globex', undefined, undefined)).toBeUndefined();
    const single = new AppRegistry({
      apps: new Map([
        ['hr', entry(['acme'])],
        ['it', entry(['globex'])],
      ]),
      defaultApp: 'hr',
    });
    expect(single.choose('globex', undefined, undefined)).toBe('it');
  });
});
