import { upgradeStatus } from './support/net';
import { sample } from './support/prometheus';
import { Stack, startStack } from './support/stack';

const EVIL = { Origin: 'https://evil.example' };

describe('the Origin of an upgrade, without AUTH_TOKENS (e2e)', () => {
  let stack: Stack | undefined;
  afterEach(() => stack?.close());
  const own = () => ({ Origin: stack!.httpUrl });

  it("refuses another site's page with HTTP 403 before any socket opens; allows the service's own page and non-browser clients", async () => {
    stack = await startStack();
    expect(await upgradeStatus(stack.wsUrl, EVIL)).toBe(403);
    expect(await upgradeStatus(stack.wsUrl, { Origin: 'null' })).toBe(403);
    // The refusal's log line and counter are upgrade-refusals.e2e-spec's.
    expect(sample(await (await fetch(`${stack.httpUrl}/metrics`)).text(), 'realtime_rag_connections')).toBe(0);
    expect(await upgradeStatus(stack.wsUrl, own())).toBe(101);
    expect(await upgradeStatus(stack.wsUrl)).toBe(101);
  });

  it('allows exactly the origins of ALLOWED_ORIGINS, then no longer the own one unless listed', async () => {
    stack = await startStack({ env: { ALLOWED_ORIGINS: 'https://app.example.com,http://localhost:3000' } });
    expect(await upgradeStatus(stack.wsUrl, { Origin: 'https://app.example.com' })).toBe(101);
    expect(await upgradeStatus(stack.wsUrl, { Origin: 'http://localhost:3000' })).toBe(101);
    expect(await upgradeStatus(stack.wsUrl)).toBe(101);
    expect(await upgradeStatus(stack.wsUrl, { Origin: 'http://app.example.com' })).toBe(403);
    expect(await upgradeStatus(stack.wsUrl, EVIL)).toBe(403);
    // Not listed: a page whose DNS name is rebound to the service would pass for its own origin.
    expect(await upgradeStatus(stack.wsUrl, own())).toBe(403);
  });

  it('allows any origin with ALLOWED_ORIGINS=*', async () => {
    stack = await startStack({ env: { ALLOWED_ORIGINS: '*' } });
    expect(await upgradeStatus(stack.wsUrl, EVIL)).toBe(101);
  });
});

describe('the Origin of an upgrade, with AUTH_TOKENS (e2e)', () => {
  it('is checked before the token, so a foreign page cannot tell a good token from a bad one', async () => {
    const stack = await startStack({ env: { AUTH_TOKENS: 'acme:acme-origin-token-1' } });
    expect(await upgradeStatus(`${stack.wsUrl}?token=acme-origin-token-1`, EVIL)).toBe(403);
    expect(await upgradeStatus(`${stack.wsUrl}?token=wrong-origin-token-2`, EVIL)).toBe(403);
    expect(await upgradeStatus(`${stack.wsUrl}?token=acme-origin-token-1`, { Origin: stack.httpUrl })).toBe(101);
    await stack.close();
  });
});
