import { excerpt, INBOUND_TYPES, InboundType, MAX_JSON_DEPTH, ProtocolError } from '../protocol';
import { nestsDeeperThan } from './json-depth';

/** The handler event that every frame which names no known message type is routed to. */
export const INVALID_FRAME = '__invalid_frame__';

export type ParsedFrame = { event: InboundType; data: Record<string, unknown> } | { event: typeof INVALID_FRAME; data: ProtocolError };

const KNOWN_TYPES: ReadonlySet<string> = new Set(INBOUND_TYPES);

/**
 * Routes one WebSocket frame by its `type`. Never throws: Nest silently drops a frame its parser
 * rejects, and every frame must get an answer, so bad frames go to the INVALID_FRAME handler.
 */
export function parseFrame(data: unknown): ParsedFrame {
  if (typeof data !== 'string') {
    return invalid('INVALID_MESSAGE', 'Binary frames are not supported: send each message as a JSON text frame.');
  }
  if (nestsDeeperThan(data, MAX_JSON_DEPTH)) {
    return invalid('INVALID_MESSAGE', `The message nests objects or arrays deeper than ${MAX_JSON_DEPTH} levels.`);
  }
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch {
    return invalid('INVALID_JSON', 'The frame is not valid JSON: send one JSON object per text frame.');
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return invalid('INVALID_MESSAGE', 'A message must be a JSON object with a "type" field.');
  }
  const { type } = message as Record<string, unknown>;
  if (typeof type !== 'string') {
    return invalid('INVALID_MESSAGE', `A message needs a string "type": one of ${INBOUND_TYPES.join(', ')}.`);
  }
  if (!KNOWN_TYPES.has(type)) {
    return invalid('UNSUPPORTED_TYPE', `Unsupported message type "${excerpt(type)}": use one of ${INBOUND_TYPES.join(', ')}.`);
  }
  return { event: type as InboundType, data: message as Record<string, unknown> };
}

function invalid(code: ProtocolError['code'], message: string): ParsedFrame {
  return { event: INVALID_FRAME, data: new ProtocolError(code, message) };
}
