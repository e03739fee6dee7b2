import { ItemResult } from './batch.types';

/** One result per line (JSON Lines). */
export function toJsonLines(results: ItemResult[]): string {
  return results.map((result) => `${JSON.stringify(result)}\n`).join('');
}

const CSV_COLUMNS = ['index', 'text', 'content', 'error_code', 'sources'] as const;

/** A field quoted when it must be (RFC 4180): commas, quotes or line breaks. */
function csvField(value: unknown): string {
  const text = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A header line, then one line per result; `sources` as JSON. */
export function toCsv(results: ItemResult[]): string {
  const rows = results.map((result) => CSV_COLUMNS.map((column) => csvField(result[column])).join(','));
  return [CSV_COLUMNS.join(','), ...rows].map((row) => `${row}\r\n`).join('');
}
