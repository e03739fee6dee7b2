import Ajv, { ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Dify's own OpenAPI description of its Service API (langgenius/dify-docs,
 * `en/api-reference/openapi_service.json`), and ajv validators built from it for what a
 * Dify-compatible server sends: JSON bodies by operation and status, and streamed events.
 */
type Schema = Record<string, unknown>;
interface Operation {
  responses: Record<
    string,
    { $ref?: string; content?: Record<string, { schema?: Schema; examples?: Record<string, { value: unknown }> }> }
  >;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; responses: Record<string, Operation['responses'][string]> };
}

const document = JSON.parse(readFileSync(join(__dirname, '../fixtures/dify-openapi-service.json'), 'utf8')) as Document;

/**
 * OpenAPI 3.0 to JSON Schema, the little this document needs: `nullable` becomes a `null` type, and
 * every property an object lists is required, since a faithful server sends every field of the schema
 * (the document itself marks almost none required).
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const schema = Object.fromEntries<unknown>(
    Object.entries(node).map(([key, value]) => [key, key === 'enum' ? value : toJsonSchema(value)]),
  );
  if (schema.nullable === true && typeof schema.type === 'string') schema.type = [schema.type, 'null'];
  delete schema.nullable;
  if (schema.properties && typeof schema.properties === 'object' && !('type' in schema && schema.type === 'array')) {
    schema.required = Object.keys(schema.properties);
  }
  return schema;
}

const schemas = toJsonSchema(document.components.schemas) as Record<string, Schema>;
// The document's own text: "all but `error` also include `task_id`"; its error event's schema still
// inherits the common base, so that one event is checked against the base without `task_id`.
schemas.StreamEventBaseOfError = { ...schemas.StreamEventBase, required: ['message_id', 'conversation_id', 'created_at'] };
schemas.StreamEventChatError = {
  allOf: (schemas.StreamEventChatError.allOf as Schema[]).map((part) =>
    part.$ref === '#/components/schemas/StreamEventBase' ? { $ref: '#/components/schemas/StreamEventBaseOfError' } : part,
  ),
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ajv = new Ajv({
  strict: false, // the document's `example`, `discriminator`, `x-…` keywords are not validation
  allErrors: true,
  formats: {
    uuid: UUID,
    'date-time': /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/,
    decimal: /^-?\d+(\.\d+)?$/,
    byte: /^[A-Za-z0-9+/]*={0,2}$/,
    url: /^https?:\/\//,
    int32: true,
    int64: true,
    float: true,
    double: true,
    binary: true,
  },
});
ajv.addSchema({ $id: 'dify', components: { schemas } });

/** A validator for a schema of the document: a `$ref` into its components, or an inline one (no refs). */
function validator(schema: Schema): ValidateFunction {
  return typeof schema.$ref === 'string' ? ajv.getSchema(`dify${schema.$ref}`)! : ajv.compile(toJsonSchema(schema) as Schema);
}

function problems(validate: ValidateFunction, value: unknown): string[] {
  return validate(value)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

const ENVELOPE = ajv.compile({
  type: 'object',
  required: ['code', 'message', 'status'],
  properties: { code: { type: 'string' }, message: { type: 'string' }, status: { type: 'integer' } },
});

/**
 * What is wrong with a response of the operation `method path` (as the document writes the path):
 * its status must be one the operation documents; a success body must validate against its schema;
 * an error body must be Dify's `{code, message, status}` with the status, and a code the document
 * gives for that status (where it gives examples). 401s are the document's security scheme, not any
 * operation's, so are not checked here.
 */
export function responseProblems(method: string, path: string, status: number, body: unknown): string[] {
  const operation = document.paths[path]?.[method.toLowerCase()];
  if (!operation) return [`${method} ${path} is not in the document`];
  let response = operation.responses[String(status)];
  if (!response) return [`${method} ${path} documents no ${status} (only ${Object.keys(operation.responses).join(', ')})`];
  if (response.$ref) response = document.components.responses[response.$ref.split('/').pop()!];
  const json = response.content?.['application/json'];
  if (status < 400) return json?.schema ? problems(validator(json.schema), body) : [];
  const envelope = problems(ENVELOPE, body);
  if (envelope.length > 0) return envelope;
  const { code, status: inBody } = body as { code: string; status: number };
  const codes = Object.values(json?.examples ?? {}).map((e) => (e.value as { code: string }).code);
  return [
    ...(inBody === status ? [] : [`status ${inBody} in the body of a ${status}`]),
    // Any route's 400 can be a malformed parameter (a ValueError: `invalid_param`), documented or not.
    ...(codes.length === 0 || codes.includes(code) || (status === 400 && code === 'invalid_param')
      ? []
      : [`code ${code} is none of ${codes.join(', ')} for ${status}`]),
  ];
}

/** What is wrong with one streamed event of `POST /chat-messages`, by its `event` (the document's discriminator). */
export function streamEventProblems(event: { event?: unknown }): string[] {
  const mapping = (document.components.schemas.ChunkChatEvent.discriminator as { mapping: Record<string, string> }).mapping;
  const ref = mapping[String(event.event)];
  if (!ref) return [`event ${String(event.event)} is not in the document`];
  return problems(validator({ $ref: ref }), event);
}
