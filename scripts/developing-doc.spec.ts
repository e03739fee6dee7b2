// docs/developing.md checked against the code: its module map names every folder and file of src/ (and client/src/)
// and nothing that is gone, its data-path picture names classes that exist, and its layering tables are those of
// .dependency-cruiser.cjs.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { configuredModules, DEVELOPING_MD, generatedPart, layeringTable, ROOT } from './layering-table';

const doc = readFileSync(DEVELOPING_MD, 'utf8');

/** From the `heading` line to the next heading of the same or a higher level. */
function section(heading: string): string {
  const level = /^#+/.exec(heading)![0].length;
  const lines = doc.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`docs/developing.md has no heading "${heading}"`);
  const next = lines.findIndex((line, i) => i > start && /^#+ /.test(line) && /^#+/.exec(line)![0].length <= level);
  return lines.slice(start + 1, next < 0 ? undefined : next).join('\n');
}

/** The cells of the first table in `text`, header and separator left out. */
function tableRows(text: string): string[][] {
  const lines = text.split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const end = lines.findIndex((line, i) => i > first && !line.startsWith('|'));
  return lines.slice(first + 2, end < 0 ? undefined : end).map((line) =>
    line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim()),
  );
}

const quoted = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map(([, name]) => name);

/**
 * Folder → the files and subfolders its rows name (the `files` column). A row with an empty folder cell continues the
 * folder above. `src/local-dify/` names its files in the table of its own section.
 */
function moduleMap(): Map<string, string[]> {
  const map = new Map<string, string[]>();
  let folder = '';
  for (const [folderCell, files] of tableRows(section('### Module map'))) {
    folder = quoted(folderCell)[0] ?? folder;
    map.set(folder, [...(map.get(folder) ?? []), ...quoted(files)]);
  }
  const localDify = tableRows(section('## The embedded Dify-compatible server')).flatMap(([files]) => quoted(files));
  map.set('src/local-dify/', [...(map.get('src/local-dify/') ?? []), ...localDify]);
  return map;
}

const entries = (dir: string) => readdirSync(join(ROOT, dir), { withFileTypes: true });
const foldersUnder = (dir: string): string[] =>
  entries(dir)
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => [`${dir}${entry.name}/`, ...foldersUnder(`${dir}${entry.name}/`)]);
/** The files a folder's rows must name: its TypeScript, specs left out, and `index.ts`, every module's public file. */
const codeFiles = (dir: string) =>
  entries(dir)
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && entry.name !== 'index.ts')
    .map((entry) => entry.name);

describe('the module map of docs/developing.md', () => {
  const map = moduleMap();
  const described = ['src/', ...foldersUnder('src/'), 'client/src/'];

  it('has a row for every folder under src/ (a data folder may be named by its parent folder instead)', () => {
    const parentNames = (folder: string) => map.get(folder.replace(/[^/]+\/$/, '')) ?? [];
    const missing = described.filter((folder) => !map.has(folder) && !parentNames(folder).includes(folder.split('/').at(-2) + '/'));
    expect(missing).toEqual([]);
  });

  it("names every non-spec TypeScript file of src/ and client/src/ (index.ts aside) in its folder's rows", () => {
    const missing = described
      .filter((folder) => map.has(folder))
      .flatMap((folder) =>
        codeFiles(folder)
          .filter((file) => !map.get(folder)!.includes(file))
          .map((file) => folder + file),
      );
    expect(missing).toEqual([]);
  });

  it('names no file or folder that does not exist', () => {
    const gone = [...map].flatMap(([folder, names]) =>
      names
        .filter((name) => !name.includes('*'))
        .map((name) => folder + name)
        .filter((path) => !existsSync(join(ROOT, path)) || statSync(join(ROOT, path)).isDirectory() !== path.endsWith('/')),
    );
    expect(gone).toEqual([]);
  });
});

describe('the data-path picture of docs/developing.md', () => {
  const picture = /```mermaid\n([\s\S]*?)```/.exec(section('### From a frame to Dify and back'))![1];
  const source = (dir: string): string[] =>
    entries(dir).flatMap((entry) =>
      entry.isDirectory()
        ? source(`${dir}${entry.name}/`)
        : entry.name.endsWith('.ts')
          ? [readFileSync(join(ROOT, dir, entry.name), 'utf8')]
          : [],
    );
  const code = source('src/').join('\n');

  it('names classes and functions that exist in src/ (the first word of each node)', () => {
    const names = [...picture.matchAll(/\w+\[\(?([A-Za-z]\w*)(?:<br\/>|\)?\])/g)].map(([, name]) => name);
    expect(names.length).toBeGreaterThan(5);
    const unknown = names.filter((name) => !new RegExp(`(class|function|const|interface) ${name}\\b`).test(code));
    expect(unknown).toEqual([]);
  });

  it('groups them in folders that exist', () => {
    const folders = [...picture.matchAll(/subgraph \S+ \[([^\]]+)\]/g)].flatMap(([, label]) => label.match(/src\/[\w-]+/g) ?? []);
    expect(folders.length).toBeGreaterThan(2);
    expect(folders.filter((folder) => !existsSync(join(ROOT, folder)))).toEqual([]);
  });
});

describe('the layering of docs/developing.md', () => {
  it('who may import whom is the module table of .dependency-cruiser.cjs (after changing it: npm run docs:layering)', () => {
    expect(generatedPart(doc)).toBe(layeringTable(configuredModules()));
  });

  it("the rules table names every rule of .dependency-cruiser.cjs, and no other (one row stands for the modules' own)", () => {
    const config = createRequire(__filename)(join(ROOT, '.dependency-cruiser.cjs')) as { forbidden: { name: string }[] };
    const srcModules = Object.entries(configuredModules()).filter(([, { folder }]) => !folder);
    const perModule = new Set(srcModules.map(([name]) => `module-table-${name}`));
    const configured = [...new Set(config.forbidden.map(({ name }) => (perModule.has(name) ? 'module-table-<module>' : name)))];
    const documented = tableRows(section('### Layering')).map(([rule]) => quoted(rule)[0]);
    expect(documented.sort()).toEqual(configured.sort());
  });
});
