/** Why an upgrade is refused before any socket opens (the `reason` of the log line and the metric). */
export type UpgradeRefusal =
  'shutting_down' | 'origin' | 'unauthorized' | 'unknown_app' | 'too_many_connections' | 'too_many_principal_connections';

/** The HTTP answer to each refusal. */
export const UPGRADE_REFUSALS: Record<UpgradeRefusal, { status: number; message: string; headers?: Record<string, string> }> = {
  shutting_down: { status: 503, message: 'Shutting down' },
  origin: { status: 403, message: 'Origin not allowed' },
  unauthorized: { status: 401, message: 'Unauthorized', headers: { 'WWW-Authenticate': 'Bearer' } },
  // An app that does not exist and one the principal may not use alike: app names do not leak.
  unknown_app: { status: 403, message: 'Unknown app' },
  too_many_connections: { status: 429, message: 'Too many connections from this address' },
  too_many_principal_connections: { status: 429, message: 'Too many connections for these credentials' },
};
