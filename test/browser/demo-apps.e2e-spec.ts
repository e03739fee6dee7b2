import type { Browser } from 'playwright-core';
import { LocalDifyServer } from '../../src/local-dify';
import { chromiumInstalled, launchChromium, watchPage } from '../support/browser';
import { startApp } from '../support/stack';

const HR_KEY = 'app-hrDemoKey0123456789abcdef';
const IT_KEY = 'app-itDemoKey0123456789abcdef';

// In CI a missing chromium is a failure, never a silent skip: .ci/run installs it.
const describeWithChromium = chromiumInstalled() || process.env.CI ? describe : describe.skip;

describeWithChromium('the demo page with several apps, in a real browser (e2e)', () => {
  const hr = new LocalDifyServer({ apiKeys: [HR_KEY], chunkDelayMs: 2, firstChunkDelayMs: 5 });
  const it_ = new LocalDifyServer({ apiKeys: [IT_KEY], chunkDelayMs: 2, firstChunkDelayMs: 5 });
  let app: Awaited<ReturnType<typeof startApp>>;
  let browser: Browser;
  beforeAll(async () => {
    const [hrUrl, itUrl] = await Promise.all([hr.listen(0, '127.0.0.1'), it_.listen(0, '127.0.0.1')]);
    const apps = { hr: { base_url: hrUrl.baseUrl, api_key: HR_KEY }, it: { base_url: itUrl.baseUrl, api_key: IT_KEY } };
    app = await startApp({ APPS: JSON.stringify(apps), DEFAULT_APP: 'hr', DIFY_API_KEY: undefined });
    browser = await launchChromium();
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await Promise.all([hr.close(), it_.close()]);
  });

  it('offers the apps, and asks the one chosen on a new connection', async () => {
    const page = await browser.newPage();
    const { consoleErrors } = watchPage(page);
    const upgrades: string[] = [];
    page.on('websocket', (socket) => upgrades.push(socket.url()));
    await page.goto(`${app.httpUrl}/`);
    await page.locator('#connection-state', { hasText: /^connected$/ }).waitFor();
    expect(await page.locator('#app option').allTextContents()).toEqual(['hr', 'it']);
    expect(await page.inputValue('#app')).toBe('hr');

    // The page says `connecting` before it opens the new socket: the wait below is for that one.
    await Promise.all([
      page.waitForEvent('websocket', { predicate: (socket) => socket.url().includes('app=it') }),
      page.selectOption('#app', 'it'),
    ]);
    await page.locator('#connection-state', { hasText: /^connected$/ }).waitFor();
    await page.fill('#transcript', '什么是 RAG？');
    await page.click('#send');
    await page.locator('.answer[data-final="true"]').first().waitFor({ timeout: 15_000 });
    expect(upgrades.at(-1)).toContain('app=it');
    const chats = (server: LocalDifyServer) => server.requests.filter((r) => r.path === '/v1/chat-messages');
    expect(chats(it_)).toHaveLength(1);
    expect(chats(hr)).toHaveLength(0);
    expect(consoleErrors).toEqual([]);
  });
});
