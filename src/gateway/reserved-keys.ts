/**
 * Keys that name an object's prototype machinery. JSON.parse keeps them as plain own properties,
 * but an object merge that copies them with assignment could reach a prototype (a hello's inputs
 * are merged over DIFY_INPUTS), and class-based mappers such as class-transformer throw on
 * `{"constructor":{…}}`. No message field or Dify input variable needs these names, so a message
 * carrying one is refused (validateInbound).
 */
const RESERVED: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The path (`inputs.a.constructor`, `features[0].__proto__`) of the first reserved key anywhere in
 * a parsed JSON message, or undefined. The walk is bounded: parseFrame refuses deeper nesting than
 * MAX_JSON_DEPTH, and MAX_FRAME_BYTES bounds the number of keys.
 */
export function reservedKeyPath(value: unknown, path = ''): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const isArray = Array.isArray(value);
  for (const [key, child] of Object.entries(value)) {
    const at = isArray ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    if (!isArray && RESERVED.has(key)) return at;
    const found = reservedKeyPath(child, at);
    if (found !== undefined) return found;
  }
  return undefined;
}
