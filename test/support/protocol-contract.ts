import Ajv, { ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * Checks messages against the protocol contract, docs/asyncapi.yaml: every message payload schema
 * in it, compiled once with ajv. Client → server messages are those of `receive` operations,
 * server → client those of `send` operations; a message's schema is picked by its `type` field.
 */

export const ASYNCAPI_FILE = join(__dirname, '..', '..', 'docs', 'asyncapi.yaml');

export type Direction = 'inbound' | 'outbound';

export interface ContractMessage {
  /** The message's key under components.messages. */
  key: string;
  /** Its `name` in the document. */
  name: string | undefined;
  /** The value of `type` its payload schema requires. */
  type: string;
  direction: Direction;
  examples: Array<{ name: string; payload: unknown }>;
  validate: ValidateFunction;
}

type JsonObject = Record<string, unknown>;

const SCHEMA_REF = '#/components/schemas/';

let loaded: ReadonlyArray<ContractMessage> | undefined;

/** Every message of the contract, in the order the operations list them. */
export function contractMessages(direction?: Direction): ContractMessage[] {
  loaded ??= load(readFileSync(ASYNCAPI_FILE, 'utf8'));
  return loaded.filter((message) => direction === undefined || message.direction === direction);
}

/** Throws, naming the message and what is wrong, unless it is a valid server → client message. */
export function assertOutbound(message: unknown): void {
  check('outbound', message);
}

/** Throws, naming the message and what is wrong, unless it is a valid client → server message. */
export function assertInbound(message: unknown): void {
  check('inbound', message);
}

function check(direction: Direction, message: unknown): void {
  const shown = JSON.stringify(message);
  const type = isObject(message) ? message.type : undefined;
  const known = contractMessages(direction);
  if (typeof type !== 'string') {
    throw new Error(`${direction} message without a string "type" (docs/asyncapi.yaml): ${shown}`);
  }
  const contract = known.find((candidate) => candidate.type === type);
  if (!contract) {
    const types = known.map((candidate) => candidate.type).join(', ');
    throw new Error(`${direction} message of undocumented type "${type}" (docs/asyncapi.yaml has ${types}): ${shown}`);
  }
  if (!contract.validate(message)) {
    const problems = (contract.validate.errors ?? [])
      .map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}${describeParams(error.params)} [${error.schemaPath}]`)
      .join('; ');
    throw new Error(`${direction} "${type}" message does not match docs/asyncapi.yaml (${problems}): ${shown}`);
  }
}

function describeParams(params: Record<string, unknown>): string {
  const detail = params.additionalProperty ?? params.allowedValues;
  return detail === undefined ? '' : ` (${JSON.stringify(detail)})`;
}

/** Parses an AsyncAPI 3 document and compiles the payload schema of every operation's messages. */
export function load(text: string): ContractMessage[] {
  const document: unknown = parse(text);
  if (!isObject(document)) throw new Error('docs/asyncapi.yaml is not a YAML mapping');
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
  const schemas = objectAt(document, ['components', 'schemas']);
  for (const [name, schema] of Object.entries(schemas)) ajv.addSchema(localRefs(schema) as JsonObject, name);

  const messages: ContractMessage[] = [];
  for (const [operationKey, operation] of Object.entries(objectAt(document, ['operations']))) {
    if (!isObject(operation) || !Array.isArray(operation.messages)) throw new Error(`operation ${operationKey} lists no messages`);
    const direction: Direction = operation.action === 'receive' ? 'inbound' : 'outbound';
    for (const reference of operation.messages) {
      const { key, value: message } = follow(document, reference);
      if (messages.some((known) => known.key === key)) continue;
      const payload = follow(document, message.payload).value;
      const type = typeEnum(payload);
      if (type === undefined) throw new Error(`message ${key}: its payload schema must fix "type" with a one-value enum`);
      messages.push({
        key,
        name: typeof message.name === 'string' ? message.name : undefined,
        type,
        direction,
        examples: examplesOf(key, message.examples),
        validate: ajv.compile(localRefs(message.payload) as JsonObject),
      });
    }
  }
  return messages;
}

function typeEnum(schema: JsonObject): string | undefined {
  const properties = schema.properties;
  const type = isObject(properties) ? properties.type : undefined;
  const values = isObject(type) ? type.enum : undefined;
  return Array.isArray(values) && values.length === 1 && typeof values[0] === 'string' ? values[0] : undefined;
}

function examplesOf(key: string, examples: unknown): ContractMessage['examples'] {
  if (examples === undefined) return [];
  if (!Array.isArray(examples)) throw new Error(`message ${key}: examples must be a list`);
  return examples.map((example: unknown, index) => {
    if (!isObject(example)) throw new Error(`message ${key}: example ${index} is not a mapping`);
    return { name: typeof example.name === 'string' ? example.name : `#${index}`, payload: example.payload };
  });
}

/** Follows `$ref`s (local JSON pointers only) until it reaches a mapping that is not one. */
function follow(document: JsonObject, node: unknown, seen = 0): { key: string; value: JsonObject } {
  if (!isObject(node)) throw new Error(`expected a mapping or a $ref, got ${JSON.stringify(node)}`);
  const ref = node.$ref;
  if (typeof ref !== 'string') return { key: '', value: node };
  if (!ref.startsWith('#/') || seen > 10) throw new Error(`cannot follow $ref ${ref}`);
  const path = ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  const target = follow(document, objectAt(document, path), seen + 1);
  return { key: target.key || path[path.length - 1], value: target.value };
}

function objectAt(document: JsonObject, path: string[]): JsonObject {
  let node: unknown = document;
  for (const part of path) node = isObject(node) ? node[part] : undefined;
  if (!isObject(node)) throw new Error(`docs/asyncapi.yaml has no mapping at /${path.join('/')}`);
  return node;
}

/** A copy whose `#/components/schemas/X` references name the ajv schema X instead. */
function localRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(localRefs);
  if (!isObject(schema)) return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string' && value.startsWith(SCHEMA_REF) ? value.slice(SCHEMA_REF.length) : localRefs(value),
    ]),
  );
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
