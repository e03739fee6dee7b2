export * from './messages';
export { excerpt, ProtocolError } from './protocol-error';
export { UpstreamName, wireErrors } from './wire-errors';
export { PROTOCOL_SCHEMAS } from './protocol-schemas';
export type { AsrChunk, ClientMessage, Control, Feedback, Hello, Keepalive, Resume } from './protocol.types';
