export interface Stats {
  n: number;
  p50: number;
  p99: number;
}

/** Median and 99th percentile (nearest rank), to three decimals. */
export function stats(values: number[]): Stats {
  return { n: values.length, p50: percentile(values, 0.5), p99: percentile(values, 0.99) };
}

/** The q-th quantile (nearest rank), to three decimals; NaN for no values. */
export function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN);
}

export function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
