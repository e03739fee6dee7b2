import { exportSPKI, importJWK, KeyLike } from 'jose';
import { JwksServer, signingKey, SigningKey, signWith, unsignedToken } from '../../test/support/jwks-server';
import { authConfig } from '../config';
import { JwtSettings, JwtVerifier } from './jwt-verifier';

const SECRET = 'a-test-secret-of-at-least-32-bytes-long';
const secretBytes = new TextEncoder().encode(SECRET);
const now = () => Math.floor(Date.now() / 1000);

const settings = (more: Partial<JwtSettings>): JwtSettings => ({
  audience: 'realtime-rag',
  jwksTimeoutMs: 5000,
  jwksCooldownMs: 0,
  ...more,
});

describe('JwtVerifier with AUTH_JWT_SECRET (HS256)', () => {
  const verifier = new JwtVerifier(settings({ secret: SECRET, issuer: 'https://backend.example' }));
  const sign = (claims: Record<string, unknown> = {}) => signWith(secretBytes, { iss: 'https://backend.example', ...claims });

  it('accepts a valid token: sub is the principal, app and session_id narrow it', async () => {
    expect(await verifier.verify(await sign())).toEqual({ principal: { id: 'acme' } });
    expect(await verifier.verify(await sign({ sub: 'auth0|42', app: 'hr', session_id: 'call-7' }))).toEqual({
      principal: { id: 'auth0|42', app: 'hr', sessionId: 'call-7' },
    });
  });

  it('honours a 10 s clock tolerance on exp and nbf', async () => {
    expect(await verifier.verify(await sign({ exp: now() - 5 }))).toHaveProperty('principal');
    expect(await verifier.verify(await sign({ nbf: now() + 5 }))).toHaveProperty('principal');
  });

  it.each([
    ['token expired', { exp: now() - 30 }],
    ['not yet valid', { nbf: now() + 60 }],
    ['wrong audience', { aud: 'another-service' }],
    ['claim missing: aud', { aud: undefined }],
    ['wrong issuer', { iss: 'https://elsewhere.example' }],
    ['claim missing: exp', { exp: undefined }],
    ['claim missing: sub', { sub: undefined }],
    ['bad claim: sub', { sub: 'a b' }],
    ['bad claim: app', { app: 42 }],
    ['bad claim: session_id', { session_id: 'line\nbreak' }],
  ])('refuses: %s', async (reason, claims) => {
    expect(await verifier.verify(await sign(claims))).toEqual({ refused: reason });
  });

  it('refuses a bad signature, alg none, a JWKS algorithm without a JWKS, and garbage', async () => {
    const forged = await signWith(new TextEncoder().encode('another-secret-of-at-least-32-bytes!!'), { iss: 'https://backend.example' });
    const rsa = await signingKey('k1');
    const cases: Array<[string, string]> = [
      [forged, 'bad signature'],
      [unsignedToken({ iss: 'https://backend.example' }), 'algorithm not allowed'],
      [await signWith(rsa, { iss: 'https://backend.example' }), 'algorithm not allowed'],
      ['not.a.jwt', 'malformed token'],
    ];
    for (const [token, reason] of cases) expect(await verifier.verify(token)).toEqual({ refused: reason });
  });
});

describe('JwtVerifier with AUTH_JWKS_URL', () => {
  let jwks: JwksServer;
  let current: SigningKey;
  let url: string;
  beforeEach(async () => {
    current = await signingKey('2026-01');
    jwks = new JwksServer([current]);
    url = await jwks.listen();
  });
  afterEach(() => jwks.close());

  it('accepts RS256, ES256 and EdDSA keys of the set, fetching it once', async () => {
    const ec = await signingKey('ec-1', 'ES256');
    const ed = await signingKey('ed-1', 'EdDSA');
    jwks.keys.push(ec.publicJwk, ed.publicJwk);
    const verifier = new JwtVerifier(settings({ jwksUrl: url }));
    for (const key of [current, ec, ed]) expect(await verifier.verify(await signWith(key))).toEqual({ principal: { id: 'acme' } });
    expect(jwks.fetches).toBe(1);
  });

  it('fetches the set again for an unknown kid (rotation), at most once per cooldown', async () => {
    const verifier = new JwtVerifier(settings({ jwksUrl: url }));
    expect(await verifier.verify(await signWith(current))).toHaveProperty('principal');
    const next = await signingKey('2026-02');
    jwks.keys = [next.publicJwk];
    expect(await verifier.verify(await signWith(next))).toEqual({ principal: { id: 'acme' } });
    expect(jwks.fetches).toBe(2);

    const cooling = new JwtVerifier(settings({ jwksUrl: url, jwksCooldownMs: 3_600_000 }));
    expect(await cooling.verify(await signWith(next))).toHaveProperty('principal');
    const stranger = await signingKey('unknown');
    expect(await cooling.verify(await signWith(stranger))).toEqual({ refused: 'unknown key' });
    expect(jwks.fetches).toBe(3);
  });

  it('refuses a token signed with another key under a known kid: bad signature', async () => {
    const other = await signingKey('2026-01');
    expect(await new JwtVerifier(settings({ jwksUrl: url })).verify(await signWith(other))).toEqual({ refused: 'bad signature' });
  });

  it("refuses algorithm confusion: an HS256 token signed with the public key's bytes", async () => {
    const pem = await exportSPKI((await importJWK(current.publicJwk, 'RS256')) as KeyLike);
    const confused = await signWith(new TextEncoder().encode(pem));
    expect(await new JwtVerifier(settings({ jwksUrl: url })).verify(confused)).toEqual({ refused: 'algorithm not allowed' });
    // With a secret configured too, HS256 is checked against the secret only.
    expect(await new JwtVerifier(settings({ jwksUrl: url, secret: SECRET })).verify(confused)).toEqual({ refused: 'bad signature' });
  });

  it('refuses within the timeout when the set does not answer, and verifies again once it does', async () => {
    jwks.hang = true;
    const verifier = new JwtVerifier(settings({ jwksUrl: url, jwksTimeoutMs: 200 }));
    const token = await signWith(current);
    expect(await verifier.verify(token)).toEqual({ refused: 'keys unavailable' });
    jwks.hang = false;
    expect(await verifier.verify(token)).toEqual({ principal: { id: 'acme' } });
  });

  it('refuses when nothing listens at the URL', async () => {
    const token = await signWith(current);
    await jwks.close();
    expect(await new JwtVerifier(settings({ jwksUrl: url })).verify(token)).toEqual({ refused: 'keys unavailable' });
    jwks = new JwksServer();
    await jwks.listen();
  });
});

describe('AUTH_JWT_* configuration', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('stops start-up on a secret shorter than 32 bytes, without echoing it', () => {
    process.env.AUTH_JWT_SECRET = 'only-twenty-bytes-xx';
    expect(() => authConfig()).toThrow(/AUTH_JWT_SECRET must be at least 32 bytes/);
    expect(() => authConfig()).not.toThrow(/only-twenty/);
    process.env.AUTH_JWT_SECRET = '密'.repeat(11); // 33 bytes in UTF-8
    expect(authConfig().jwt.secret).toBe('密'.repeat(11));
  });

  it('defaults the audience to realtime-rag and the JWKS bounds to 5 s and 30 s', () => {
    delete process.env.AUTH_JWT_AUDIENCE;
    expect(authConfig().jwt).toMatchObject({ audience: 'realtime-rag', jwksTimeoutMs: 5000, jwksCooldownMs: 30_000 });
  });

  it('takes only an http(s) JWKS URL', () => {
    process.env.AUTH_JWKS_URL = 'ftp://idp.example/jwks.json';
    expect(() => authConfig()).toThrow(/AUTH_JWKS_URL must be an http\(s\) URL/);
    process.env.AUTH_JWKS_URL = 'http://localhost:8080/.well-known/jwks.json';
    expect(authConfig().jwt.jwksUrl).toBe('http://localhost:8080/.well-known/jwks.json');
  });
});
