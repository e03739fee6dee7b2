/**
 * Writes client/src/protocol.types.ts from docs/asyncapi.yaml: run it after changing the contract
 * (`npm run generate:protocol-types`). `--check` writes nothing and exits 1 when the file is not
 * what the contract generates (scripts/protocol-types.spec.ts runs it so).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ASYNCAPI_FILE } from '../test/support/protocol-contract';
import { PROTOCOL_TYPES_FILE, protocolTypes } from './protocol-types';

async function main(check: boolean): Promise<number> {
  const text = await protocolTypes(readFileSync(ASYNCAPI_FILE, 'utf8'));
  const file = relative(process.cwd(), PROTOCOL_TYPES_FILE);
  if (!check) {
    writeFileSync(PROTOCOL_TYPES_FILE, text);
    console.log(`wrote ${file}`);
    return 0;
  }
  if (readFileSync(PROTOCOL_TYPES_FILE, 'utf8') === text) return 0;
  console.error(`${file} is not what docs/asyncapi.yaml generates: run npm run generate:protocol-types`);
  return 1;
}

void main(process.argv.includes('--check')).then((code) => (process.exitCode = code));
