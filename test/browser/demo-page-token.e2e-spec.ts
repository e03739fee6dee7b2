import type { Browser } from 'playwright-core';
import { signWith } from '../support/jwks-server';
import { chromiumInstalled, launchChromium, watchPage } from '../support/browser';
import { Stack, startStack } from '../support/stack';

const STATIC = 'demo-static-token-1';
const SECRET = 'demo-jwt-secret-with-at-least-32-bytes';

// In CI a missing chromium is a failure, never a silent skip: .ci/run installs it.
const describeWithChromium = chromiumInstalled() || process.env.CI ? describe : describe.skip;

describeWithChromium('the demo page with a token (e2e; without one: demo-page.e2e-spec.ts)', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    stack = await startStack({ env: { AUTH_TOKENS: `acme:${STATIC}`, AUTH_JWT_SECRET: SECRET }, dify: { chunkDelayMs: 5 } });
    browser = await launchChromium();
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it.each([
    ['a static token', () => Promise.resolve(STATIC)],
    ['a signed token (JWT)', () => signWith(new TextEncoder().encode(SECRET), { sub: 'globex' })],
  ])('takes %s from ?token=, out of the address bar, connects with it and gets an answer', async (_kind, token) => {
    const page = await browser.newPage();
    const { consoleErrors } = watchPage(page);
    await page.goto(`${stack.httpUrl}/?token=${await token()}`);
    await page.locator('#connection-state', { hasText: /^connected$/ }).waitFor();
    expect(new URL(page.url()).searchParams.has('token')).toBe(false);
    await page.fill('#transcript', '什么是 RAG？');
    await page.click('#send');
    await page.locator('.answer[data-final="true"]').waitFor({ timeout: 15_000 });
    expect(consoleErrors).toEqual([]);
    await page.close();
  });

  it('says it could not connect without a token', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.httpUrl}/`);
    await page.getByText(/Could not connect/).waitFor({ timeout: 10_000 });
    await page.close();
  });
});
