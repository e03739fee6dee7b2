import { ItemResult } from './batch.types';

/** One result per line (JSON Lines). */
export function toJsonLines(results: ItemResult[]): string {
  return results.map((result) => `${JSON.stringify(result)}\n`).join('');
}

const CSV_COLUMNS = ['index', 'text', 'content', 'error_code', 'sources'] as const;

/** What a spreadsheet would take for a formula at the start of a cell (OWASP's CSV injection list). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A field quoted when it must be (RFC 4180): commas, quotes or line breaks. One a spreadsheet would
 * run as a formula gets a leading `'`, so it shows as the text it is.
 */
function csvField(value: unknown): string {
  const raw = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  const text = FORMULA_START.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A header line, then one line per result; `sources` as JSON; formulas neutralised. */
export function toCsv(results: ItemResult[]): string {
  const rows = results.map((result) => CSV_COLUMNS.map((column) => csvField(result[column])).join(','));
  return [CSV_COLUMNS.join(','), ...rows].map((row) => `${row}\r\n`).join('');
}
