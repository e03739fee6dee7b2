import { exportSPKI, importJWK, KeyLike } from 'jose';
import { JwksServer, SigningKey, signingKey, signWith, unsignedToken } from './support/jwks-server';
import { upgradeRefusal } from './support/net';
import { sample } from './support/prometheus';
import { Stack, startApp, startStack } from './support/stack';
import { WsTestClient } from './support/ws-test-client';

const SECRET = 'e2e-jwt-secret-with-at-least-32-bytes';
const STATIC = 'backend-static-token-1';
const ISSUER = 'https://idp.example';
const secret = new TextEncoder().encode(SECRET);
const now = () => Math.floor(Date.now() / 1000);
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** An HS256 token of AUTH_JWT_SECRET with the configured issuer, `claims` on top. */
const hs256 = (claims: Record<string, unknown> = {}) => signWith(secret, { iss: ISSUER, ...claims });

async function ask(client: WsTestClient): Promise<string> {
  const from = client.received.length;
  client.send({ type: 'asr_chunk', text: '什么是 RAG？', is_final: true });
  return (await client.answer(from)).text;
}

describe('signed tokens (JWT) at the upgrade (e2e)', () => {
  let stack: Stack;
  let jwks: JwksServer;
  let idpKey: SigningKey;
  beforeAll(async () => {
    idpKey = await signingKey('idp-2026-01');
    jwks = new JwksServer([idpKey]);
    const jwksUrl = await jwks.listen();
    stack = await startStack({
      env: {
        AUTH_TOKENS: `backend:${STATIC}`,
        AUTH_JWT_SECRET: SECRET,
        AUTH_JWKS_URL: jwksUrl,
        AUTH_JWT_ISSUER: ISSUER,
        AUTH_JWKS_REFETCH_COOLDOWN_MS: '0',
      },
    });
  });
  afterAll(async () => {
    await stack.close();
    await jwks.close();
  });

  it('accepts an HS256 token of AUTH_JWT_SECRET, in a header or ?token=, and answers its principal', async () => {
    const token = await hs256({ sub: 'acme' });
    const client = await WsTestClient.connect(stack.wsUrl, { headers: bearer(token) });
    expect(await ask(client)).not.toBe('');
    client.close();
    const byQuery = await WsTestClient.connect(`${stack.wsUrl}?token=${token}`);
    await byQuery.waitFor((m) => m.type === 'ack');
    byQuery.close();
    expect(stack.logs.lines.some((line) => line.includes('WebSocket connected: principal acme'))).toBe(true);
  });

  it("accepts a token of the JWKS's keys, and a rotated key once the set names it", async () => {
    expect((await upgradeRefusal(stack.wsUrl, bearer(await signWith(idpKey, { iss: ISSUER })))).status).toBe(101);
    const next = await signingKey('idp-2026-02', 'ES256');
    const rotatedToken = await signWith(next, { iss: ISSUER });
    expect(await upgradeRefusal(stack.wsUrl, bearer(rotatedToken))).toEqual({ status: 401, body: 'Unauthorized: unknown key' });
    jwks.keys = [next.publicJwk];
    const fetched = jwks.fetches;
    expect((await upgradeRefusal(stack.wsUrl, bearer(rotatedToken))).status).toBe(101);
    expect(jwks.fetches).toBe(fetched + 1);
    expect(await upgradeRefusal(stack.wsUrl, bearer(await signWith(idpKey, { iss: ISSUER })))).toEqual({
      status: 401,
      body: 'Unauthorized: unknown key',
    });
    jwks.keys = [idpKey.publicJwk, next.publicJwk];
  });

  it('refuses bad tokens with 401 and the reason, one log line each, counted, never repeating the token', async () => {
    const metric = async () =>
      sample(await (await fetch(`${stack.httpUrl}/metrics`)).text(), 'realtime_rag_upgrades_refused_total{reason="unauthorized"}') ?? 0;
    const before = await metric();
    const logged = stack.logs.lines.length;
    const pem = await exportSPKI((await importJWK(idpKey.publicJwk, 'RS256')) as KeyLike);
    const cases: Array<[string, string]> = [
      [await hs256({ exp: now() - 60 }), 'token expired'],
      [await hs256({ nbf: now() + 60 }), 'not yet valid'],
      [await hs256({ aud: 'another-service' }), 'wrong audience'],
      [await hs256({ iss: 'https://elsewhere.example' }), 'wrong issuer'],
      [await signWith(new TextEncoder().encode('not-the-secret-but-just-as-long-!!!'), { iss: ISSUER }), 'bad signature'],
      [unsignedToken({ iss: ISSUER }), 'algorithm not allowed'],
      // Algorithm confusion: HS256 keyed with the IdP's public key. Checked against AUTH_JWT_SECRET only.
      [await signWith(new TextEncoder().encode(pem), { iss: ISSUER }), 'bad signature'],
      ['not-a-token-at-all', 'unknown token'],
    ];
    for (const [token, reason] of cases) {
      expect(await upgradeRefusal(`${stack.wsUrl}?token=${token}`)).toEqual({ status: 401, body: `Unauthorized: ${reason}` });
    }
    expect(await metric()).toBe(before + cases.length);
    const lines = stack.logs.lines.slice(logged).filter((line) => line.includes('Upgrade refused'));
    expect(lines.map((line) => line.match(/unauthorized \((.+?)\)/)?.[1])).toEqual(cases.map(([, reason]) => reason));
    const everything = stack.logs.lines.join('\n');
    for (const [token] of cases) expect(everything).not.toContain(token);
    expect(everything).not.toContain(SECRET);
  });

  it("keeps a token's connection to its session_id: another gets SESSION_NOT_ALLOWED and the socket stays open", async () => {
    const client = await WsTestClient.connect(stack.wsUrl, { headers: bearer(await hs256({ session_id: 'call-7' })) });
    await client.waitFor((m) => m.type === 'ack' && m.message === 'connected' && m.session_id === 'call-7');
    const from = client.received.length;
    client.send({ type: 'asr_chunk', text: '什么是 RAG？', is_final: true, session_id: 'someone-else' });
    const refusal = await client.waitFor((m) => m.type === 'error', { from });
    expect(refusal.code).toBe('SESSION_NOT_ALLOWED');
    client.send({ type: 'keepalive', session_id: 'call-7' });
    await client.waitFor((m) => m.type === 'ack' && m.received_type === 'keepalive' && m.session_id === 'call-7', { from });
    expect(await ask(client)).not.toBe('');
    expect(client.received.slice(from).some((m) => m.type === 'status' && m.stage === 'analyzing')).toBe(true);
    client.close();
  });

  it('mints a token for an AUTH_TOKENS holder (POST /api/tokens) that connects and gets answers', async () => {
    const mint = (body: object, headers: Record<string, string> = bearer(STATIC)) =>
      fetch(`${stack.httpUrl}/api/tokens`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const response = await mint({ app: 'default', session_id: 'minted-1', ttl_seconds: 120 });
    expect(response.status).toBe(201);
    const { token, expires_at } = (await response.json()) as { token: string; expires_at: string };
    const lifetime = Date.parse(expires_at) - Date.now();
    expect(lifetime).toBeGreaterThan(60_000);
    expect(lifetime).toBeLessThanOrEqual(120_000);
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ sub: 'backend', app: 'default', session_id: 'minted-1', aud: 'realtime-rag', iss: ISSUER });

    const client = await WsTestClient.connect(`${stack.wsUrl}?token=${token}`);
    await client.waitFor((m) => m.type === 'ack' && m.session_id === 'minted-1');
    expect(await ask(client)).not.toBe('');
    client.close();

    expect((await mint({}, bearer(token))).status).toBe(401);
    expect((await mint({}, {})).status).toBe(401);
    for (const body of [
      { ttl_seconds: 3601 },
      { ttl_seconds: 0 },
      { ttl_seconds: 1.5 },
      { app: 'no spaces' },
      { session_id: '' },
      { sub: 'root' },
    ]) {
      const refused = await mint(body);
      expect(refused.status).toBe(400);
      expect(JSON.stringify(await refused.json())).toMatch(/ttl_seconds|app|session_id|sub/);
    }
    const defaults = (await (await mint({})).json()) as { expires_at: string };
    expect(Date.parse(defaults.expires_at) - Date.now()).toBeGreaterThan(590_000);
  });

  it('authenticates the batch API with the same tokens', async () => {
    const call = async (token: string, method = 'GET', body?: object) =>
      fetch(`${stack.httpUrl}/api/batch/tasks`, {
        method,
        headers: { 'Content-Type': 'application/json', ...bearer(token) },
        body: body && JSON.stringify(body),
      });
    const token = await signWith(idpKey, { sub: 'globex', iss: ISSUER });
    const submitted = await call(token, 'POST', { name: 'jwt', texts: ['什么是 RAG？'] });
    expect(submitted.status).toBe(201);
    const { task_id } = (await submitted.json()) as { task_id: string };
    const listed = (await (await call(token)).json()) as { tasks: Array<{ task_id: string }> };
    expect(listed.tasks.map((task) => task.task_id)).toEqual([task_id]);
    // Another principal sees none of globex's tasks.
    expect(((await (await call(await hs256({ sub: 'initech' }))).json()) as { total: number }).total).toBe(0);
    const expired = await call(await hs256({ sub: 'globex', exp: now() - 60 }));
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { message: string }).message).toMatch(/^token expired: /);
  });
});

describe('POST /api/tokens without AUTH_JWT_SECRET (e2e)', () => {
  it('is 404, even for an AUTH_TOKENS holder', async () => {
    const app = await startApp({ AUTH_TOKENS: `backend:${STATIC}`, AUTH_JWT_SECRET: undefined, AUTH_JWKS_URL: undefined });
    const response = await fetch(`${app.httpUrl}/api/tokens`, { method: 'POST', headers: bearer(STATIC) });
    expect(response.status).toBe(404);
    await app.close();
  });
});
