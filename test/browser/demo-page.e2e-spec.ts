import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { chromiumInstalled, launchChromium, watchPage } from '../support/browser';
import { Stack, startStack } from '../support/stack';

const SCREENSHOT_DIR = join(__dirname, '..', '..', 'test-output');

// In CI a missing chromium is a failure, never a silent skip: .ci/run installs it.
const describeWithChromium = chromiumInstalled() || process.env.CI ? describe : describe.skip;

describeWithChromium('the demo page in a real browser (e2e)', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    stack = await startStack({ dify: { chunkDelayMs: 40, chunkChars: 3 } });
    browser = await launchChromium();
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('connects by itself, streams the answer to a typed question, shows its sources, and takes a screenshot', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const { consoleErrors } = watchPage(page);
    await page.goto(`${stack.httpUrl}/`);
    await page.locator('#connection-state', { hasText: /^connected$/ }).waitFor();

    await page.fill('#transcript', '什么是 RAG？');
    await page.click('#send');
    const answer = page.locator('.answer').last();
    // Streaming: text shows before the answer is final.
    await answer.locator('.answer-text').filter({ hasText: /\S/ }).waitFor();
    expect(await answer.getAttribute('data-final')).not.toBe('true');
    await page.locator('.answer[data-final="true"]').waitFor({ timeout: 15_000 });

    const expected = stack.dify.streams.at(-1)!.answer;
    expect(await answer.locator('.answer-text').textContent()).toBe(expected);
    const sources = answer.locator('.sources .source');
    await sources.first().waitFor();
    expect(await sources.count()).toBeGreaterThan(0);
    expect(await sources.first().innerText()).toMatch(/\.md/);
    await page.locator('.usage').last().waitFor();

    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'demo-page.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 40_000);

  it('says "reconnecting…" when its socket is cut mid-answer, then carries on: the answer resumes where it was, asked once', async () => {
    // The TCP connection under each WebSocket the page opens, to cut it from the server's side.
    const connections: Duplex[] = [];
    (stack.app.getHttpServer() as Server).on('upgrade', (_request, socket: Duplex) => connections.push(socket));
    const page = await browser.newPage();
    const { consoleErrors } = watchPage(page);
    await page.goto(`${stack.httpUrl}/`);
    await page.locator('#connection-state', { hasText: /^connected$/ }).waitFor();
    const asked = stack.dify.streams.length;

    await page.fill('#transcript', '什么是 RAG？');
    await page.click('#send');
    const answer = page.locator('.answer').last();
    await answer.locator('.answer-text').filter({ hasText: /\S/ }).waitFor();
    // Every label the connection state shows from now on.
    // Every label the connection state shows from now on (a string: the tests have no DOM types).
    await page.evaluate(
      "const label = document.getElementById('connection-state'); window.labels = []; new MutationObserver(() => window.labels.push(label.textContent)).observe(label, { childList: true });",
    );
    connections.at(-1)!.destroy();
    await page.locator('.answer[data-final="true"]').waitFor({ timeout: 15_000 });

    expect(stack.dify.streams).toHaveLength(asked + 1);
    expect(await answer.locator('.answer-text').textContent()).toBe(stack.dify.streams.at(-1)!.answer);
    expect(await page.locator('.answer').count()).toBe(1);
    expect(await page.evaluate('window.labels')).toEqual(['reconnecting…', 'connected']);
    expect(await page.locator('#log li.out', { hasText: '"type":"resume"' }).count()).toBe(1);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 40_000);

  it('cannot reach the endpoint from a page of another origin: the upgrade gets 403 (cross-site WebSocket hijacking)', async () => {
    const page = await browser.newPage();
    // localhost is another origin than 127.0.0.1; ?ws= points the page at this stack's endpoint.
    const foreign = stack.httpUrl.replace('127.0.0.1', 'localhost');
    await page.goto(`${foreign}/?ws=${encodeURIComponent(stack.wsUrl)}`);
    await page.getByText(/Could not connect/).waitFor({ timeout: 10_000 });
    expect(stack.logs.lines.filter((line) => line.startsWith('warn Upgrade refused: origin (HTTP 403)'))).toHaveLength(1);
    await page.close();
  });

  it('is a static page with no external resources and a 404 for unknown paths', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(`${stack.httpUrl}/`);
    await page.locator('#connection-state', { hasText: /^connected$/ }).waitFor();
    expect(requests.filter((url) => !url.startsWith(stack.httpUrl) && !url.startsWith(stack.wsUrl.replace(/\/ws\/.*/, '')))).toEqual([]);
    expect((await fetch(`${stack.httpUrl}/no-such-page`)).status).toBe(404);
    await page.close();
  });
});
