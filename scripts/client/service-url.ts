/**
 * The WebSocket URL of a service started in this environment, read as the service reads it (PORT,
 * HOST, WS_PATH, the same defaults): a wildcard bind address is dialled on localhost.
 */
export function serviceWsUrl(env: NodeJS.ProcessEnv): string {
  const host = !env.HOST || env.HOST === '0.0.0.0' || env.HOST === '::' ? 'localhost' : env.HOST;
  return `ws://${host.includes(':') ? `[${host}]` : host}:${env.PORT || 8000}${env.WS_PATH || '/ws/realtime-asr'}`;
}
