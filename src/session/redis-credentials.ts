/**
 * The sentence for Redis refusing this client's credentials, naming what to fix and never the
 * password; undefined for any other error. WRONGPASS: a wrong user or password (Redis 6+; older
 * ones say "invalid password"). NOAUTH: Redis requires a password and REDIS_URL gives none.
 */
export function credentialsRefusal(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : '';
  if (/\bNOAUTH\b/.test(message)) return 'Redis requires a password (NOAUTH) and REDIS_URL gives none: redis://:password@host:6379';
  if (/\bWRONGPASS\b|\binvalid password\b/.test(message))
    return "Redis refused the credentials (WRONGPASS): check REDIS_URL's user and password";
  return undefined;
}

/** Start-up stops: retrying cannot fix a wrong password, and every session would fail meanwhile. */
export class RedisCredentialsError extends Error {
  constructor(readonly refusal: string) {
    super(refusal);
    this.name = 'RedisCredentialsError';
  }
}
