import { INBOUND_TYPES, InboundType, MAX_JSON_DEPTH, ProtocolError, wireErrors } from '../protocol';
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
    return invalid(wireErrors.binaryFrame());
  }
  if (nestsDeeperThan(data, MAX_JSON_DEPTH)) {
    return invalid(wireErrors.nestedTooDeep());
  }
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch {
    return invalid(wireErrors.invalidJson());
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return invalid(wireErrors.notAnObject());
  }
  const { type } = message as Record<string, unknown>;
  if (typeof type !== 'string') {
    return invalid(wireErrors.noType());
  }
  if (!KNOWN_TYPES.has(type)) {
    return invalid(wireErrors.unsupportedType(type));
  }
  return { event: type as InboundType, data: message as Record<string, unknown> };
}

function invalid(error: ProtocolError): ParsedFrame {
  return { event: INVALID_FRAME, data: error };
}
