import { SignJWT } from 'jose';
import type { AuthConfig } from '../config';

export interface TokenClaims {
  /** The principal (`sub`). */
  sub: string;
  app?: string;
  session_id?: string;
}

/** AUTH_JWT_SECRET, and the audience and issuer the verifier requires. */
export type MintSettings = Pick<AuthConfig['jwt'], 'audience' | 'issuer'> & { secret: string };

/** An HS256 token that this service's JwtVerifier accepts, valid for `ttlSeconds` from now. */
export async function mintToken(
  settings: MintSettings,
  claims: TokenClaims,
  ttlSeconds: number,
  now = Date.now(),
): Promise<{ token: string; expiresAt: Date }> {
  const issuedAt = Math.floor(now / 1000);
  const expires = issuedAt + ttlSeconds;
  const { sub, ...narrowing } = claims;
  let jwt = new SignJWT(narrowing)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub)
    .setAudience(settings.audience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expires);
  if (settings.issuer) jwt = jwt.setIssuer(settings.issuer);
  return { token: await jwt.sign(new TextEncoder().encode(settings.secret)), expiresAt: new Date(expires * 1000) };
}
