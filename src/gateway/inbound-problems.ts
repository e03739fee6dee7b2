import type { ErrorObject } from 'ajv';

type Schema = { type?: string | string[]; enum?: unknown[] };

/**
 * What ajv found wrong with a message, for the client: one phrase per bad field, naming it
 * (`is_final must be boolean or 0 or 1; session_id must be at most 128 characters`).
 */
export function describeProblems(errors: ErrorObject[]): string {
  // A oneOf's own error stands for the errors of its branches, which come before it.
  const oneOfs = new Set(errors.filter((error) => error.keyword === 'oneOf').map((error) => error.instancePath));
  const byField = new Map<string, string>();
  for (const error of errors) {
    if (error.keyword !== 'oneOf' && oneOfs.has(error.instancePath)) continue;
    // The first problem of a field says enough (not a string, then not one of the actions).
    const field = fieldOf(error);
    if (!byField.has(field)) byField.set(field, `${field} ${problemOf(error)}`);
  }
  return [...byField.values()].join('; ');
}

/** `/features/0` → `features[0]`; a missing field is named by the object's error. */
function fieldOf(error: ErrorObject): string {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '');
  if (error.keyword !== 'required') return path || 'the message';
  const missing = String(error.params.missingProperty);
  return path ? `${path}.${missing}` : missing;
}

function problemOf(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'type':
      return `must be ${[params.type].flat().join(' or ')}`;
    case 'enum':
      return `must be one of: ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}`;
    case 'oneOf':
      return `must be ${(error.schema as Schema[]).map(formOf).join(' or ')}`;
    case 'minLength':
      return `must be at least ${String(params.limit)} characters`;
    case 'maxLength':
      return `must be at most ${String(params.limit)} characters`;
    case 'maxItems':
      return `must have at most ${String(params.limit)} items`;
    case 'minimum':
      return `must be at least ${String(params.limit)}`;
    case 'pattern':
      // The contract's one pattern: SessionId's.
      return 'must be printable: no control or format characters, no lone surrogates';
    default:
      return String(error.message);
  }
}

function formOf(schema: Schema): string {
  return schema.enum ? schema.enum.map((value) => JSON.stringify(value)).join(' or ') : [schema.type].flat().join(' or ');
}
