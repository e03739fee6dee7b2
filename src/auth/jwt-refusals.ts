import { errors } from 'jose';

/** The refusal of each claim jose checks; a claim's value is never repeated. */
const CLAIM_REFUSALS: Record<string, string> = {
  exp: 'token expired',
  nbf: 'not yet valid',
  iat: 'bad claim: iat',
  aud: 'wrong audience',
  iss: 'wrong issuer',
  sub: 'bad claim: sub',
};

/** Why jose refused a token, in words a client may read: never the token, a key or a claim's value. */
export function refusalOf(error: InstanceType<typeof errors.JOSEError>): string {
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return `claim missing: ${error.claim}`;
    return CLAIM_REFUSALS[error.claim] ?? 'bad claims';
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad signature';
  if (error instanceof errors.JWKSNoMatchingKey) return 'unknown key';
  if (error instanceof errors.JWKSMultipleMatchingKeys) return 'ambiguous key';
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) return 'algorithm not allowed';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'malformed token';
  // JWKSTimeout, JWKSInvalid, a JWKS answered with other than 200 or not JSON.
  return 'keys unavailable';
}
