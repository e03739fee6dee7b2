import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Authenticator, presentedToken } from './authenticator';

/** Until authentication is configured, every client is this principal. */
export const ANONYMOUS = 'anonymous';

const digest = (token: string) => createHash('sha256').update(token).digest();

/**
 * Accepts the tokens of AUTH_TOKENS, each naming a principal. Compares digests in constant time, so
 * neither a token's content nor its length leaks through timing. With no tokens configured, every
 * client is ANONYMOUS.
 */
export class TokenListAuthenticator extends Authenticator {
  private readonly tokens: Array<{ principal: string; digest: Buffer }>;

  constructor(tokens: Array<{ principal: string; token: string }>) {
    super();
    this.tokens = tokens.map(({ principal, token }) => ({ principal, digest: digest(token) }));
  }

  get open(): boolean {
    return this.tokens.length === 0;
  }

  authenticate(request: IncomingMessage): string | undefined {
    if (this.open) return ANONYMOUS;
    const presented = presentedToken(request);
    if (!presented) return undefined;
    const candidate = digest(presented);
    let principal: string | undefined;
    // Every entry is compared, matched or not, so the time does not say which one matched.
    for (const entry of this.tokens) {
      if (timingSafeEqual(entry.digest, candidate)) principal ??= entry.principal;
    }
    return principal;
  }
}
