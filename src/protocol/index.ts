export * from './messages';
export { ProtocolError } from './protocol-error';
