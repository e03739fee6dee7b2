/**
 * Writes the generated protocol modules from docs/asyncapi.yaml: the types (client/src/protocol.types.ts
 * and the same text in src/protocol/protocol.types.ts) and the schemas (src/protocol/protocol-schemas.ts).
 * Run it after changing the contract (`npm run generate:protocol-types`). `--check` writes nothing and
 * exits 1 when a file is not what the contract generates (scripts/protocol-types.spec.ts runs it so).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ASYNCAPI_FILE } from '../test/support/protocol-contract';
import { PROTOCOL_SCHEMAS_FILE, PROTOCOL_TYPES_FILE, protocolSchemas, protocolTypes, SERVER_PROTOCOL_TYPES_FILE } from './protocol-types';

async function main(check: boolean): Promise<number> {
  const contract = readFileSync(ASYNCAPI_FILE, 'utf8');
  const types = await protocolTypes(contract);
  const outputs: [string, string][] = [
    [PROTOCOL_TYPES_FILE, types],
    [SERVER_PROTOCOL_TYPES_FILE, types],
    [PROTOCOL_SCHEMAS_FILE, await protocolSchemas(contract)],
  ];
  let stale = 0;
  for (const [path, text] of outputs) {
    const file = relative(process.cwd(), path);
    if (!check) {
      writeFileSync(path, text);
      console.log(`wrote ${file}`);
    } else if (readFileSync(path, 'utf8') !== text) {
      console.error(`${file} is not what docs/asyncapi.yaml generates: run npm run generate:protocol-types`);
      stale = 1;
    }
  }
  return stale;
}

void main(process.argv.includes('--check')).then((code) => (process.exitCode = code));
