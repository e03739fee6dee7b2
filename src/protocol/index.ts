export * from './messages';
export { excerpt, ProtocolError } from './protocol-error';
export { wireErrors } from './wire-errors';
