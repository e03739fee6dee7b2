/** The host a client dials for a service bound to HOST: a wildcard bind address is dialled on localhost. */
function dialledHost(env: NodeJS.ProcessEnv): string {
  const host = !env.HOST || env.HOST === '0.0.0.0' || env.HOST === '::' ? 'localhost' : env.HOST;
  return `${host.includes(':') ? `[${host}]` : host}:${env.PORT || 8000}`;
}

/**
 * The WebSocket URL of a service started in this environment, read as the service reads it (PORT,
 * HOST, WS_PATH, the same defaults): a wildcard bind address is dialled on localhost.
 */
export function serviceWsUrl(env: NodeJS.ProcessEnv): string {
  return `ws://${dialledHost(env)}${env.WS_PATH || '/ws/realtime-asr'}`;
}

/** The HTTP base URL (no path, no trailing slash) of the same service: PORT and HOST as for serviceWsUrl. */
export function serviceHttpUrl(env: NodeJS.ProcessEnv): string {
  return `http://${dialledHost(env)}`;
}
