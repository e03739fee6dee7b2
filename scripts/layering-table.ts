// The who-may-import-whom table of docs/developing.md#layering, generated from the module table (`MODULES`) of
// .dependency-cruiser.cjs, so the doc cannot drift from the check: `npm run docs:layering` rewrites it between
// its marker comments, and scripts/developing-doc.spec.ts fails while it is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export interface ModuleRow {
  mayImport: string[];
  is: string;
  folder?: string;
}

export const ROOT = join(__dirname, '..');
export const DEVELOPING_MD = join(ROOT, 'docs/developing.md');
const START = '<!-- layering:start (generated from .dependency-cruiser.cjs by npm run docs:layering) -->';
const END = '<!-- layering:end -->';

/** The config's `MODULES` (a property dependency-cruiser does not see: its schema allows no other keys). */
export function configuredModules(): Record<string, ModuleRow> {
  const config = createRequire(__filename)(join(ROOT, '.dependency-cruiser.cjs')) as { MODULES: Record<string, ModuleRow> };
  return config.MODULES;
}

export function layeringTable(modules: Record<string, ModuleRow>): string {
  const rows = Object.entries(modules).map(([name, { mayImport, is, folder }]) => {
    const where = folder ?? `src/${name}/`;
    const may = mayImport.length ? mayImport.map((other) => `\`${other}/\``).join(', ') : 'nothing of the app';
    return `| \`${where}\` | ${is} | ${may} |`;
  });
  return ['| module | is | may import |', '| --- | --- | --- |', ...rows].join('\n');
}

/** The text between the markers, or an error naming what is missing. */
export function generatedPart(doc: string): string {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`docs/developing.md lacks the layering markers ${START} … ${END}`);
  return doc.slice(start + START.length, end).trim();
}

function rewrite(): void {
  const doc = readFileSync(DEVELOPING_MD, 'utf8');
  const old = generatedPart(doc);
  const table = layeringTable(configuredModules());
  const start = doc.indexOf(START) + START.length;
  writeFileSync(DEVELOPING_MD, `${doc.slice(0, start)}\n${table}\n${doc.slice(doc.indexOf(END))}`);
  process.stdout.write(
    old === table ? 'docs/developing.md: the layering table was up to date\n' : 'docs/developing.md: layering table rewritten\n',
  );
}

if (require.main === module) rewrite();
