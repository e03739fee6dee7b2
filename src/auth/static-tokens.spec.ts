import type { IncomingMessage } from 'node:http';
import { authConfig } from '../config';
import { ANONYMOUS } from './principal';
import { StaticTokens } from './static-tokens';
import { TokenAuthenticator } from './token-authenticator';

const request = (url: string, authorization?: string) => ({ url, headers: authorization ? { authorization } : {} }) as IncomingMessage;

describe('AUTH_TOKENS (TokenAuthenticator without JWT)', () => {
  const authenticator = new TokenAuthenticator(
    new StaticTokens([
      { principal: 'acme', token: 'acme-token-123' },
      { principal: 'globex', token: 'globex-token-456' },
    ]),
    undefined,
  );
  const principalOf = async (r: IncomingMessage) => {
    const authentication = await authenticator.authenticate(r);
    return 'principal' in authentication ? authentication.principal.id : undefined;
  };

  it('names the principal of a Bearer header or a ?token= parameter', async () => {
    expect(await principalOf(request('/ws', 'Bearer acme-token-123'))).toBe('acme');
    expect(await principalOf(request('/ws', 'bearer globex-token-456'))).toBe('globex');
    expect(await principalOf(request('/ws?token=globex-token-456'))).toBe('globex');
  });

  it('reads the token parameter by its decoded name, in any case: the name the logs redact (isTokenParameter)', async () => {
    expect(await principalOf(request('/ws?to%6Ben=acme-token-123'))).toBe('acme');
    expect(await principalOf(request('/ws?%74%6F%6B%65%6E=acme-token-123'))).toBe('acme');
    expect(await principalOf(request('/ws?features=usage&TOKEN=globex-token-456'))).toBe('globex');
    expect(await principalOf(request('/ws?token=acme-token-123&token=globex-token-456'))).toBe('acme');
    expect(await principalOf(request('/ws?tokens=acme-token-123'))).toBeUndefined();
  });

  it('refuses a missing, wrong, truncated or extended token, saying which without repeating it', async () => {
    expect(await authenticator.authenticate(request('/ws'))).toEqual({ refused: 'no token' });
    for (const r of [
      request('/ws', 'Bearer nope'),
      request('/ws', 'Basic acme-token-123'),
      request('/ws?token=acme-token-12'),
      request('/ws?token=acme-token-1234'),
    ]) {
      expect(await principalOf(r)).toBeUndefined();
    }
    expect(await authenticator.authenticate(request('/ws', 'Bearer acme-token-12'))).toEqual({ refused: 'unknown token' });
  });

  it('lets everyone in as anonymous when no token is configured', async () => {
    expect(await new TokenAuthenticator(new StaticTokens([]), undefined).authenticate(request('/ws'))).toEqual({
      principal: { id: ANONYMOUS },
    });
  });
});

describe('AUTH_TOKENS', () => {
  const saved = process.env.AUTH_TOKENS;
  afterEach(() => {
    process.env.AUTH_TOKENS = saved;
  });

  it('reads principal:token pairs', () => {
    process.env.AUTH_TOKENS = 'acme:acme-token-123,globex:globex:token:456';
    expect(authConfig().tokens).toEqual([
      { principal: 'acme', token: 'acme-token-123' },
      { principal: 'globex', token: 'globex:token:456' },
    ]);
  });

  it('stops start-up on a malformed list, without echoing it', () => {
    process.env.AUTH_TOKENS = 'just-a-secret-token';
    expect(() => authConfig()).toThrow(/AUTH_TOKENS must be a comma-separated list/);
    expect(() => authConfig()).not.toThrow(/just-a-secret-token/);
  });
});
