/**
 * TypeScript types of the wire messages, generated from the protocol contract (docs/asyncapi.yaml)
 * by json-schema-to-typescript: one type per schema of `components.schemas`, and the unions of the
 * messages each way (`ClientMessage`: the `receive` operations' messages, `ServerMessage`: the
 * `send` ones). The client library (client/src/protocol.types.ts) and the server
 * (src/protocol/protocol.types.ts, the same text) are typed by them; the server also validates
 * inbound messages with the schemas themselves (src/protocol/protocol-schemas.ts, protocolSchemas).
 *
 * What TypeScript cannot say is left to the schemas: conditionals (`if`/`then`/`else`, e.g. "a final
 * answer chunk has a finish_reason") are dropped, as are patterns and lengths.
 */
import { compile, JSONSchema } from 'json-schema-to-typescript';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { parse } from 'yaml';

export const PROTOCOL_TYPES_FILE = join(__dirname, '..', 'client', 'src', 'protocol.types.ts');
export const SERVER_PROTOCOL_TYPES_FILE = join(__dirname, '..', 'src', 'protocol', 'protocol.types.ts');
export const PROTOCOL_SCHEMAS_FILE = join(__dirname, '..', 'src', 'protocol', 'protocol-schemas.ts');

type JsonObject = Record<string, unknown>;

const SCHEMA_REF = '#/components/schemas/';
const CONDITIONALS = ['if', 'then', 'else'];

const HEADER = `// Generated from docs/asyncapi.yaml by \`npm run generate:protocol-types\` (scripts/protocol-types.ts): do not edit.
// Conditional rules of the schemas (if/then/else), patterns and lengths are not expressed here.
`;

/**
 * The generated module's text, formatted with the repository's prettier settings. Not for jest:
 * prettier 3 loads itself with a dynamic import, which jest cannot run (the spec runs this in a
 * child process).
 */
export async function protocolTypes(asyncapiYaml: string): Promise<string> {
  const document = parse(asyncapiYaml) as JsonObject;
  const schemas = at(document, 'components', 'schemas');
  const declarations: string[] = [];
  for (const [name, schema] of Object.entries(schemas)) {
    declarations.push(
      await compile(forTypeScript(schema) as JSONSchema, name, {
        bannerComment: '',
        format: false,
        additionalProperties: false,
        ignoreMinAndMaxItems: true,
      }),
    );
  }
  const operations = Object.values(at(document, 'operations')) as JsonObject[];
  declarations.push(union(document, operations, 'receive', 'ClientMessage', 'A message a client sends.'));
  declarations.push(union(document, operations, 'send', 'ServerMessage', 'A message the server sends.'));
  const text = HEADER + declarations.join('\n');
  return format(text, { ...(await resolveConfig(PROTOCOL_TYPES_FILE)), parser: 'typescript' });
}

const SCHEMAS_HEADER = `// Generated from docs/asyncapi.yaml by \`npm run generate:protocol-types\` (scripts/protocol-types.ts): do not edit.
`;

/**
 * The contract's \`components.schemas\` as a module, for the server's validator of inbound messages
 * (src/gateway/inbound-validator.ts): ajv compiles them at start-up, without the YAML file or a
 * YAML parser at run time. Not for jest, like protocolTypes.
 */
export async function protocolSchemas(asyncapiYaml: string): Promise<string> {
  const schemas = at(parse(asyncapiYaml) as JsonObject, 'components', 'schemas');
  const text = `${SCHEMAS_HEADER}
/** The protocol's schemas by name; their \`$ref\`s point into \`#/components/schemas/\`. */
export const PROTOCOL_SCHEMAS: Record<string, object> = ${JSON.stringify(schemas)};
`;
  return format(text, { ...(await resolveConfig(PROTOCOL_SCHEMAS_FILE)), parser: 'typescript' });
}

/** `export type Name = A | B …` over the payload schemas of the operations with this action. */
function union(document: JsonObject, operations: JsonObject[], action: string, name: string, doc: string): string {
  const payloads = operations
    .filter((operation) => operation.action === action)
    .flatMap((operation) => operation.messages as JsonObject[])
    .map((reference) => refName(follow(document, reference).payload));
  return `/** ${doc} */\nexport type ${name} = ${[...new Set(payloads)].join(' | ')};\n`;
}

/** A schema without conditionals, whose references to other schemas name their generated types. */
function forTypeScript(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(forTypeScript).filter((item) => !isEmpty(item));
  if (!isObject(schema)) return schema;
  if (typeof schema.$ref === 'string') return { tsType: refName(schema) };
  const kept = Object.entries(schema)
    .filter(([key]) => !CONDITIONALS.includes(key))
    .map(([key, value]) => [key, forTypeScript(value)] as const)
    .filter(([key, value]) => !(key === 'allOf' && Array.isArray(value) && value.length === 0));
  return Object.fromEntries(kept);
}

/** An `allOf` item that said only what TypeScript cannot (a conditional, and its description). */
function isEmpty(schema: unknown): boolean {
  return isObject(schema) && Object.keys(schema).every((key) => key === 'description');
}

function refName(node: unknown): string {
  const ref = isObject(node) ? node.$ref : undefined;
  if (typeof ref !== 'string' || !ref.startsWith(SCHEMA_REF))
    throw new Error(`expected a $ref to ${SCHEMA_REF}…, got ${JSON.stringify(node)}`);
  return ref.slice(SCHEMA_REF.length);
}

/** The mapping a local `$ref` points at, through references to references (a channel's message is one). */
function follow(document: JsonObject, node: unknown): JsonObject {
  const ref = isObject(node) ? node.$ref : undefined;
  if (typeof ref !== 'string' || !ref.startsWith('#/')) throw new Error(`expected a local $ref, got ${JSON.stringify(node)}`);
  const target = at(document, ...ref.slice(2).split('/'));
  return typeof target.$ref === 'string' ? follow(document, target) : target;
}

function at(document: JsonObject, ...path: string[]): JsonObject {
  let node: unknown = document;
  for (const part of path) node = isObject(node) ? node[part] : undefined;
  if (!isObject(node)) throw new Error(`docs/asyncapi.yaml has no mapping at /${path.join('/')}`);
  return node;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
