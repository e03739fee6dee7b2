import { once } from 'node:events';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, JWK, JWTPayload, KeyLike, SignJWT } from 'jose';

/** A signing key as an identity provider holds one: its private half signs, its public half is served. */
export interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256' | 'EdDSA';
  privateKey: KeyLike;
  publicJwk: JWK;
}

export async function signingKey(kid: string, alg: SigningKey['alg'] = 'RS256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(
    alg,
    alg === 'EdDSA' ? { crv: 'Ed25519', extractable: true } : { extractable: true },
  );
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** A token signed with `key`: `claims` on top of a valid sub, aud and exp (10 minutes). */
export function signWith(key: SigningKey | Uint8Array, claims: JWTPayload = {}, header: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ sub: 'acme', aud: 'realtime-rag', exp: now + 600, ...claims });
  if (key instanceof Uint8Array) return jwt.setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...header }).sign(key);
  return jwt.setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header }).sign(key.privateKey);
}

/** `alg: none`: a header and payload with an empty signature, as an attacker would send. */
export function unsignedToken(claims: JWTPayload = {}): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'acme', aud: 'realtime-rag', exp: now + 600, ...claims })}.`;
}

/**
 * A JSON Web Key Set on loopback, port 0, as an identity provider serves it. `keys` may change
 * (rotation); `hang` makes it accept requests and never answer (an unreachable provider).
 */
export class JwksServer {
  keys: JWK[] = [];
  hang = false;
  fetches = 0;
  private readonly server: Server;
  private readonly hanging = new Set<ServerResponse>();

  constructor(keys: SigningKey[] = []) {
    this.keys = keys.map((key) => key.publicJwk);
    this.server = createServer((request: IncomingMessage, response: ServerResponse) => {
      this.fetches += 1;
      if (this.hang) {
        this.hanging.add(response);
        return;
      }
      response.setHeader('Content-Type', 'application/json');
      response.end(JSON.stringify({ keys: this.keys }));
    });
  }

  async listen(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
  }

  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}
