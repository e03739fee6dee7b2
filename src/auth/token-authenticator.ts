import type { IncomingMessage } from 'node:http';
import { Authenticator, presentedToken } from './authenticator';
import { JwtVerifier, looksLikeJwt } from './jwt-verifier';
import { ANONYMOUS, Authentication } from './principal';
import { StaticTokens } from './static-tokens';

/**
 * Accepts a token of AUTH_TOKENS, or a JSON Web Token when one of AUTH_JWT_SECRET and AUTH_JWKS_URL
 * is set. With neither configured, every client is ANONYMOUS.
 */
export class TokenAuthenticator extends Authenticator {
  constructor(
    private readonly tokens: StaticTokens,
    private readonly jwt: JwtVerifier | undefined,
  ) {
    super();
  }

  get open(): boolean {
    return this.tokens.empty && !this.jwt;
  }

  async authenticate(request: IncomingMessage): Promise<Authentication> {
    if (this.open) return { principal: { id: ANONYMOUS } };
    const presented = presentedToken(request);
    if (!presented) return { refused: 'no token' };
    const id = this.tokens.principalOf(presented);
    if (id !== undefined) return { principal: { id } };
    if (this.jwt && looksLikeJwt(presented)) return this.jwt.verify(presented);
    return { refused: 'unknown token' };
  }
}
