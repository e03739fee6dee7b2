import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (token: string) => createHash('sha256').update(token).digest();

/**
 * The tokens of AUTH_TOKENS, each naming a principal. Compares digests in constant time, so
 * neither a token's content nor its length leaks through timing.
 */
export class StaticTokens {
  private readonly tokens: Array<{ principal: string; digest: Buffer }>;

  constructor(tokens: Array<{ principal: string; token: string }>) {
    this.tokens = tokens.map(({ principal, token }) => ({ principal, digest: digest(token) }));
  }

  get empty(): boolean {
    return this.tokens.length === 0;
  }

  /** The principal whose token this is, if any. */
  principalOf(presented: string): string | undefined {
    const candidate = digest(presented);
    let principal: string | undefined;
    // Every entry is compared, matched or not, so the time does not say which one matched.
    for (const entry of this.tokens) {
      if (timingSafeEqual(entry.digest, candidate)) principal ??= entry.principal;
    }
    return principal;
  }
}
