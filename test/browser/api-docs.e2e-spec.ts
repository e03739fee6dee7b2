import type { Browser } from 'playwright-core';
import { chromiumInstalled, launchChromium } from '../support/browser';
import { Stack, startStack } from '../support/stack';

// In CI a missing chromium is a failure, never a silent skip: .ci/run installs it.
const describeWithChromium = chromiumInstalled() || process.env.CI ? describe : describe.skip;

describeWithChromium('Swagger UI at /docs in a real browser (e2e)', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    stack = await startStack();
    browser = await launchChromium();
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('renders every operation and the WebSocket note, loading nothing but from this server', async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    const errors: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${stack.httpUrl}/docs`);
    for (const path of ['/health', '/health/ready', '/metrics', '/demo/config']) {
      await page.locator('.opblock-summary-path', { hasText: new RegExp(`^${path}$`) }).waitFor();
    }
    await page.locator('.info', { hasText: 'docs/asyncapi.yaml' }).waitFor();
    expect(requested.filter((url) => !url.startsWith(`${stack.httpUrl}/`) && !url.startsWith('data:'))).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
