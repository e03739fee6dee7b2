/**
 * Dify's two JSON styles: compact with raw UTF-8 (orjson, Dify ≥ 1.8.1 streams), and Python's
 * json.dumps default (", " and ": " separators, non-ASCII as \uXXXX: older streams and blocking bodies).
 */
export function toJson(value: unknown, legacy: boolean): string {
  return legacy ? pythonJson(value) : JSON.stringify(value);
}

function pythonJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${asciiOnly(JSON.stringify(k))}: ${pythonJson(v)}`)
      .join(', ')}}`;
  }
  return asciiOnly(JSON.stringify(value) ?? 'null');
}

function asciiOnly(json: string): string {
  return json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A small seeded generator (mulberry32), so split points repeat for a given seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
