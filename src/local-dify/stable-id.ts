import { createHash } from 'node:crypto';

/** The namespace of every id below: the local server's own, fixed, so ids repeat across runs and machines. */
const NAMESPACE = Buffer.from('6f1c2d7a0b9e4c5d8e3f1a2b3c4d5e6f', 'hex');

/**
 * A name-based UUID (version 5: SHA-1 of namespace and name, RFC 9562): the same name always gives
 * the same id, so a document, a segment or an end user keeps its id for as long as its name.
 */
export function stableUuid(name: string): string {
  const bytes = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The app's and its workspace's ids. */
export const APP_ID = stableUuid('app:local-dify');
export const TENANT_ID = stableUuid('tenant:local-dify');

/** The id Dify gives an end user: one per `user` string. */
export function endUserId(user: string): string {
  return stableUuid(`end-user:${user}`);
}
