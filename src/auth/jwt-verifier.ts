import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, JWTPayload } from 'jose';
import type { AuthConfig } from '../config';
import type { Authentication } from './principal';
import { APP, SESSION_ID, SUBJECT } from './claims';
import { refusalOf } from './jwt-refusals';

/** AUTH_JWT_SECRET (HS256), AUTH_JWKS_URL (RS256, ES256, EdDSA), the audience and issuer to require, the JWKS fetch bounds. */
export type JwtSettings = AuthConfig['jwt'];

/** The issue fixes it: clocks of the token's issuer and ours may differ this much. */
const CLOCK_TOLERANCE_SECONDS = 10;
const SYMMETRIC = ['HS256'];
const ASYMMETRIC = ['RS256', 'ES256', 'EdDSA'];
/** Compact JWS: three base64url parts. Anything else is not worth decoding. */
export function looksLikeJwt(token: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token);
}

/**
 * Verifies JSON Web Tokens. The header's `alg` picks the key source, and each source accepts only
 * its own algorithms: HS256 only against AUTH_JWT_SECRET, RS256/ES256/EdDSA only against the JWKS.
 * So `alg: none` is refused, and an HS256 token can never be checked with a public key's bytes
 * (algorithm confusion). The JWKS is cached (jose's createRemoteJWKSet), fetched again when a token
 * names an unknown `kid` (rotation) at most once per cooldown, each fetch bounded by a timeout:
 * an unreachable JWKS refuses the tokens it would check and holds nothing else up.
 */
export class JwtVerifier {
  private readonly secret?: Uint8Array;
  private readonly jwks?: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly settings: JwtSettings) {
    if (settings.secret) this.secret = new TextEncoder().encode(settings.secret);
    if (settings.jwksUrl) {
      this.jwks = createRemoteJWKSet(new URL(settings.jwksUrl), {
        timeoutDuration: settings.jwksTimeoutMs,
        cooldownDuration: settings.jwksCooldownMs,
      });
    }
  }

  async verify(token: string): Promise<Authentication> {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      return { refused: 'malformed token' };
    }
    const options = {
      audience: this.settings.audience,
      issuer: this.settings.issuer,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['exp', 'sub'],
    };
    try {
      if (alg === 'HS256' && this.secret) {
        return claimsOf((await jwtVerify(token, this.secret, { ...options, algorithms: SYMMETRIC })).payload);
      }
      if (alg !== undefined && ASYMMETRIC.includes(alg) && this.jwks) {
        return claimsOf((await jwtVerify(token, this.jwks, { ...options, algorithms: ASYMMETRIC })).payload);
      }
      return { refused: 'algorithm not allowed' };
    } catch (error) {
      // Not one of jose's verdicts on the token: the JWKS could not be fetched (refused connection, DNS).
      if (!(error instanceof errors.JOSEError)) return { refused: 'keys unavailable' };
      return { refused: refusalOf(error) };
    }
  }
}

/** The principal a verified token names, if its claims are usable. */
function claimsOf(payload: JWTPayload): Authentication {
  const { sub, app, session_id: sessionId } = payload;
  if (typeof sub !== 'string' || !SUBJECT.test(sub)) return { refused: 'bad claim: sub' };
  if (app !== undefined && (typeof app !== 'string' || !APP.test(app))) return { refused: 'bad claim: app' };
  if (sessionId !== undefined && (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId))) {
    return { refused: 'bad claim: session_id' };
  }
  return { principal: { id: sub, ...(app !== undefined && { app }), ...(sessionId !== undefined && { sessionId }) } };
}
