export interface Stats {
  n: number;
  p50: number;
  p99: number;
}

/** Median and 99th percentile (nearest rank), to three decimals. */
export function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { n: sorted.length, p50: round(at(0.5)), p99: round(at(0.99)) };
}

export function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
