import { reservedKeyPath } from './reserved-keys';

describe('reservedKeyPath', () => {
  it.each([
    ['{"type":"hello","inputs":{"constructor":{"prototype":{"polluted":true}}}}', 'inputs.constructor'],
    ['{"type":"hello","inputs":{"__proto__":{"polluted":true}}}', 'inputs.__proto__'],
    ['{"type":"hello","inputs":{"a":{"b":{"prototype":1}}}}', 'inputs.a.b.prototype'],
    ['{"type":"hello","features":[{"constructor":{}}]}', 'features[0].constructor'],
    ['{"__proto__":{"type":"hello"}}', '__proto__'],
  ])('finds the reserved key in %s', (text, path) => {
    expect(reservedKeyPath(JSON.parse(text))).toBe(path);
  });

  it('passes messages without one, the names as values included', () => {
    expect(
      reservedKeyPath(JSON.parse('{"type":"hello","features":["constructor"],"inputs":{"topic":"__proto__","n":[1,{"x":null}]}}')),
    ).toBeUndefined();
    expect(reservedKeyPath('constructor')).toBeUndefined();
  });

  it('leaves the prototype alone', () => {
    reservedKeyPath(JSON.parse('{"__proto__":{"polluted":true}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
