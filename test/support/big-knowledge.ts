import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The bulk section's one line: "what is the bulk data?" is answered with it, repeated. */
export const BULK_LINE = 'bulk data line 0123456789 abcdefghij\n';

/**
 * Knowledge bases whose one section is a `megabytes` MB answer to "what is the bulk data?", each in
 * a temporary folder that `removeAll` deletes.
 */
export class BigKnowledge {
  private readonly dirs: string[] = [];

  make(megabytes: number): string {
    const dir = mkdtempSync(join(tmpdir(), 'realtime-rag-kb-'));
    this.dirs.push(dir);
    writeFileSync(join(dir, 'bulk.md'), `# Bulk\n\n## Bulk data\n${BULK_LINE.repeat(Math.round((megabytes * 1e6) / BULK_LINE.length))}`);
    return dir;
  }

  removeAll(): void {
    for (const dir of this.dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}
