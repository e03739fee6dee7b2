import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Wire } from '../../client/src/realtime-rag-client';
import { chromiumInstalled, launchChromium, watchPage } from '../support/browser';
import { Stack, startStack } from '../support/stack';
import { waitUntil } from '../support/wait-until';

const SCREENSHOT_DIR = join(__dirname, '..', '..', 'test-output');

/** Every frame the page's sockets send and receive, parsed. */
function frames(page: Page): { sent: Wire.ClientMessage[]; received: Wire.ServerMessage[] } {
  const sent: Wire.ClientMessage[] = [];
  const received: Wire.ServerMessage[] = [];
  page.on('websocket', (socket) => {
    socket.on('framesent', ({ payload }) => sent.push(JSON.parse(payload.toString()) as Wire.ClientMessage));
    socket.on('framereceived', ({ payload }) => received.push(JSON.parse(payload.toString()) as Wire.ServerMessage));
  });
  return { sent, received };
}

/** A new page of the demo, connected, with its frames and console errors watched. */
async function openDemo(browser: Browser, stack: Stack) {
  const page = await browser.newPage();
  const { consoleErrors } = watchPage(page);
  const seen = frames(page);
  await page.goto(`${stack.httpUrl}/`);
  await page.locator('#connection-state', { hasText: /^connected$/ }).waitFor();
  return { page, consoleErrors, ...seen };
}

/** Types a question, sends it, and waits for its answer to end; the answer's bubble. */
async function ask(page: Page, question: string) {
  const before = await page.locator('.answer[data-final="true"]').count();
  await page.fill('#transcript', question);
  await page.click('#send');
  await page.locator('.answer[data-final="true"]').nth(before).waitFor({ timeout: 15_000 });
  return page.locator('.answer').last();
}

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

  it('sends the inputs box as the session’s inputs in a hello that keeps the features, and shows what is wrong with them', async () => {
    const { page, sent, consoleErrors } = await openDemo(browser, stack);
    await page.fill('#inputs', '["gold"]');
    await page.press('#inputs', 'Tab');
    expect(await page.locator('#inputs-error').textContent()).toMatch(/must be a JSON object/);
    expect(sent.filter((m) => m.type === 'hello')).toEqual([]);

    // The embedded Dify app declares no input variables: the service refuses this one, after the ack.
    await page.fill('#inputs', '{"tier":"gold"}');
    await page.press('#inputs', 'Tab');
    expect(await page.locator('#inputs-error').textContent()).toBe('');
    await page.locator('.error', { hasText: 'Invalid hello: inputs.tier' }).waitFor();
    expect(sent.filter((m) => m.type === 'hello')).toEqual([
      { type: 'hello', features: ['sources', 'usage', 'progress', 'suggested'], inputs: { tier: 'gold' }, session_id: expect.any(String) },
    ]);
    expect(consoleErrors).toEqual([]);
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

describeWithChromium('the demo page with a chatflow app, in a real browser (e2e)', () => {
  let stack: Stack;
  let browser: Browser;
  beforeAll(async () => {
    // A slow first chunk: the chatflow's llm step shows for a while before the text.
    stack = await startStack({ dify: { appMode: 'advanced-chat', firstChunkDelayMs: 800, chunkDelayMs: 10, chunkChars: 8 } });
    browser = await launchChromium();
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('shows the step the app is on while the answer is prepared, and clears it when the text starts', async () => {
    const { page, received, consoleErrors } = await openDemo(browser, stack);
    await page.fill('#transcript', '什么是 RAG？');
    await page.click('#send');
    const answer = page.locator('.answer').last();
    await answer.locator('.progress', { hasText: /^thinking…$/ }).waitFor();
    expect(await answer.locator('.answer-text').textContent()).toBe('');
    await answer.locator('.answer-text').filter({ hasText: /\S/ }).waitFor();
    expect(await answer.locator('.progress').isHidden()).toBe(true);
    await page.locator('.answer[data-final="true"]').waitFor({ timeout: 15_000 });

    const answerId = await answer.getAttribute('data-answer-id');
    expect(received.filter((m) => m.type === 'progress').map(({ answer_id, step, state }) => ({ answer_id, step, state }))).toEqual([
      { answer_id: answerId, step: 'knowledge-retrieval', state: 'started' },
      { answer_id: answerId, step: 'knowledge-retrieval', state: 'finished' },
      { answer_id: answerId, step: 'llm', state: 'started' },
      { answer_id: answerId, step: 'llm', state: 'finished' },
    ]);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 30_000);

  it('sends 👍 on a completed answer as feedback for that answer, and shows the rating, or the error when Dify refuses it', async () => {
    const { page, sent, received, consoleErrors } = await openDemo(browser, stack);
    const answer = await ask(page, '年假有几天？');
    const answerId = await answer.getAttribute('data-answer-id');
    const like = answer.getByRole('button', { name: 'Good answer' });
    await like.click();

    await waitUntil(() => received.some((m) => m.type === 'ack' && m.received_type === 'feedback'));
    expect(sent.filter((m) => m.type === 'feedback')).toEqual([
      { type: 'feedback', answer_id: answerId, rating: 'like', session_id: expect.any(String) },
    ]);
    // It reached Dify for that answer's message.
    const rated = `/v1/messages/${stack.dify.streams.at(-1)!.messageId}/feedbacks`;
    await waitUntil(() => stack.dify.requests.some((r) => r.method === 'POST' && r.path === rated));
    expect(stack.dify.requests.find((r) => r.path === rated)!.body).toMatchObject({ rating: 'like' });

    // Dify's refusal, if any, comes as an error right after its reply; success sends nothing more.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const refused = received.find((m) => m.type === 'error');
    if (refused?.type === 'error') {
      // An embedded Dify without the feedback endpoint: UPSTREAM_NOT_FOUND.
      expect(refused.code).toMatch(/^(UPSTREAM_|UNKNOWN_ANSWER)/);
      expect(await answer.locator('.feedback-error').textContent()).toBe(`${refused.code}: ${refused.message}`);
      expect(await like.getAttribute('aria-pressed')).toBe('false');
      expect(await page.locator('.bubble.error').count()).toBe(0);
    } else {
      expect(await like.getAttribute('aria-pressed')).toBe('true');
      // Pressed again: the rating is taken back.
      await like.click();
      await page.locator('.rate[aria-pressed="true"]').waitFor({ state: 'detached' });
      expect(sent.filter((m) => m.type === 'feedback').at(-1)).toMatchObject({ answer_id: answerId, rating: null });
    }
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 30_000);

  it('shows the follow-ups Dify suggests as chips under the answer, and a click asks one at once', async () => {
    const { page, sent, received, consoleErrors } = await openDemo(browser, stack);
    const answer = await ask(page, '什么是 RAG？');
    const answerId = await answer.getAttribute('data-answer-id');
    // The service asks Dify for follow-ups after the answer; it logs a failure and sends nothing then.
    await waitUntil(
      () => received.some((m) => m.type === 'suggested') || stack.logs.lines.some((line) => line.includes('Suggested questions failed')),
    );
    const suggested = received.find((m) => m.type === 'suggested');
    if (suggested?.type !== 'suggested' || suggested.questions.length === 0) {
      // No follow-ups from this Dify (no endpoint, or its suggestions are off): no chips.
      expect(await answer.locator('.suggested').isHidden()).toBe(true);
    } else {
      expect(suggested.answer_id).toBe(answerId);
      const chips = answer.getByRole('group', { name: 'Suggested questions' }).getByRole('button');
      expect(await chips.allTextContents()).toEqual(suggested.questions);
      const asked = sent.length;
      await chips.first().click();
      await waitUntil(() => sent.length >= asked + 2);
      expect(sent.slice(asked, asked + 2)).toMatchObject([
        { type: 'asr_chunk', text: suggested.questions[0], is_final: true },
        { type: 'control', action: 'instant_query' },
      ]);
      await page.locator('.question', { hasText: suggested.questions[0] }).waitFor();
    }
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 30_000);
});
