import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { ClientMessage, INBOUND_TYPES, InboundType, PROTOCOL_SCHEMAS, wireErrors } from '../protocol';
import { describeProblems } from './inbound-problems';
import { reservedKeyPath } from './reserved-keys';

/** The contract's schema of each inbound message type (its message's payload in docs/asyncapi.yaml). */
const SCHEMA_OF: Record<InboundType, string> = {
  asr_chunk: 'AsrChunk',
  control: 'Control',
  keepalive: 'Keepalive',
  hello: 'Hello',
  resume: 'Resume',
  feedback: 'Feedback',
};

/**
 * One validator per inbound type, compiled once when this module loads from the contract's schemas
 * (about 60 ms, and 40 ms to load ajv: once per process, so no build step for ajv's standalone code).
 * allErrors: every bad field is named, as before; a valid message costs the same. verbose: an error
 * carries its schema, which describeProblems words it from.
 */
const VALIDATORS = compile();

function compile(): Record<InboundType, ValidateFunction> {
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
  // The schemas' `$ref`s point into `#/components/schemas/`, as in the contract.
  ajv.addKeyword('components');
  ajv.addSchema({ $id: 'protocol', components: { schemas: PROTOCOL_SCHEMAS } });
  const validatorOf = (type: InboundType) => {
    const validate = ajv.getSchema(`protocol#/components/schemas/${SCHEMA_OF[type]}`);
    if (!validate) throw new Error(`docs/asyncapi.yaml has no schema ${SCHEMA_OF[type]} for ${type}`);
    return [type, validate] as const;
  };
  return Object.fromEntries(INBOUND_TYPES.map(validatorOf)) as Record<InboundType, ValidateFunction>;
}

/**
 * The one check of an inbound message against the contract: returns it as its type, or throws the
 * error it gets. A key such as `constructor` anywhere in it is refused (reserved-keys.ts); an
 * optional field sent as null (Python's None) is taken as absent. Control actions the contract does
 * not list get UNKNOWN_ACTION, anything else wrong INVALID_MESSAGE naming every bad field. What
 * depends on configuration (MAX_TEXT_CHARS) is checked by the handler.
 */
export function validateInbound(type: InboundType, message: Record<string, unknown>): ClientMessage {
  const reserved = reservedKeyPath(message);
  if (reserved !== undefined) throw wireErrors.reservedKey(reserved);
  const validate = VALIDATORS[type];
  dropNullOptionals(message, (PROTOCOL_SCHEMAS[SCHEMA_OF[type]] as { required: string[] }).required);
  if (!validate(message)) throw errorOf(message, validate.errors ?? []);
  if (type === 'asr_chunk') {
    // Lone surrogate halves (broken UTF-16 from a client) become U+FFFD before anyone reads the text;
    // is_final 0 and 1, as Python clients of the replaced service send it, are false and true.
    message.text = (message.text as string).toWellFormed();
    if (message.is_final === 0 || message.is_final === 1) message.is_final = message.is_final === 1;
  }
  return message as unknown as ClientMessage;
}

function dropNullOptionals(message: Record<string, unknown>, required: string[]): void {
  for (const key in message) if (message[key] === null && !required.includes(key)) delete message[key];
}

function errorOf(message: Record<string, unknown>, errors: ErrorObject[]) {
  const unknownAction = errors.length === 1 && errors[0].keyword === 'enum' && errors[0].instancePath === '/action';
  if (unknownAction && message.type === 'control') return wireErrors.unknownAction(message.action as string);
  return wireErrors.invalidFields(describeProblems(errors));
}
