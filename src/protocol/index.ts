export * from './messages';
export { excerpt, ProtocolError } from './protocol-error';
