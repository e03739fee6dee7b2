/**
 * The sentence for Redis refusing this client's credentials, naming what to fix and never the
 * password; undefined for any other error. WRONGPASS: a wrong user or password (Redis 6+; older
 * ones say "invalid password"). NOAUTH: Redis requires a password and none is configured.
 */
export function credentialsRefusal(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : '';
  if (/\bNOAUTH\b/.test(message))
    return 'Redis requires a password (NOAUTH) and none is configured: set REDIS_PASSWORD, or redis://:password@host:6379';
  if (/\bWRONGPASS\b|\binvalid password\b/.test(message))
    return 'Redis refused the credentials (WRONGPASS): check REDIS_USERNAME and REDIS_PASSWORD, or the user and password of REDIS_URL';
  return undefined;
}
