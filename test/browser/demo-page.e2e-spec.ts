import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Wire } from '../../client/src/realtime-rag-client';
import { chromiumInstalled, launchChromium, watchPage } from '../support/browser';
import { Stack, startApp, startStack, TEST_API_KEY } from '../support/stack';
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
async function openDemo(browser: Browser, stack: { httpUrl: string }) {
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

/** The latest answer's player, once Chromium has loaded its audio and played some of it (or failed to). */
async function playedAudio(page: Page) {
  const player = "[...document.querySelectorAll('.answer .spoken')].at(-1)";
  await page.waitForFunction(`(() => { const audio = ${player}; return audio && (audio.error || audio.currentTime > 0); })()`);
  return page.evaluate<{ duration: number; error: string | null; hidden: boolean }>(
    `(() => { const audio = ${player}; return { duration: audio.duration, error: audio.error && audio.error.message, hidden: audio.hidden }; })()`,
  );
}

/** 40 frames of MPEG-1 Layer III (128 kbit/s, 44.1 kHz, mono) silence, 1.04 s, built in the page, played by the page's player. */
const PLAY_MP3 = `(async () => {
  const { audioPlayer } = await import('/audio-player.js');
  const audio = document.createElement('audio');
  document.body.append(audio);
  const notes = [];
  const player = audioPlayer(audio, (note) => notes.push(note));
  const frame = new Uint8Array(417);
  frame.set([0xff, 0xfb, 0x90, 0xc0]);
  const ended = new Promise((resolve) => {
    audio.addEventListener('ended', resolve);
    audio.addEventListener('error', resolve);
  });
  player.append(frame.slice());
  // A MediaSource is the element's source from the first piece on; a whole file only at the end.
  const streamed = audio.src !== '';
  for (let i = 1; i < 40; i++) player.append(frame.slice());
  player.end();
  await ended;
  return { duration: audio.duration, error: audio.error && audio.error.message, notes, streamed };
})()`;

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

  it('says beside "Speak answers" that the Dify app has text to speech off, ticked after connecting, and plays nothing', async () => {
    const { page, sent, received, consoleErrors } = await openDemo(browser, stack);
    await page.check('#speak');
    await page.locator('#speak-note', { hasText: 'the Dify app has text to speech off' }).waitFor();
    // Ticking asks for the spoken answer at once, on the open connection.
    await waitUntil(() => sent.some((m) => m.type === 'hello' && m.features.includes('tts')));

    await ask(page, '什么是 RAG？');
    await waitUntil(() => received.some((m) => m.type === 'status' && m.stage === 'idle'));
    expect(received.filter((m) => m.type === 'audio')).toEqual([]);
    expect(await page.locator('.answer .spoken').last().isHidden()).toBe(true);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'demo-page-no-speech.png') });
    await page.uncheck('#speak');
    expect(await page.locator('#speak-note').textContent()).toBe('');
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 30_000);

  it('plays MP3 too: pieces of one, fed to the page’s player as they come, play to their end', async () => {
    const { page, consoleErrors } = await openDemo(browser, stack);
    const played = await page.evaluate<{ duration: number; error: string | null; notes: string[]; streamed: boolean }>(PLAY_MP3);
    // Its only notes are the '' of each start of playing (again after any wait for data).
    expect(played).toEqual({ duration: expect.closeTo(1.04, 1), error: null, notes: expect.arrayContaining(['']), streamed: true });
    expect(played.notes.filter((note) => note !== '')).toEqual([]);
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
  let difyBaseUrl: string;
  /** The app's feedback as Dify keeps it. */
  const difyFeedbacks = async () => {
    const response = await fetch(`${difyBaseUrl}/app/feedbacks?limit=100`, { headers: { Authorization: `Bearer ${TEST_API_KEY}` } });
    return ((await response.json()) as { data: Array<{ message_id: string; rating: string }> }).data;
  };
  beforeAll(async () => {
    // A slow first chunk: the chatflow's llm step shows for a while before the text.
    stack = await startStack({
      dify: { appMode: 'advanced-chat', firstChunkDelayMs: 800, chunkDelayMs: 10, chunkChars: 8 },
      env: (baseUrl) => {
        difyBaseUrl = baseUrl;
        return {};
      },
    });
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

  it('sends 👍 on a completed answer as feedback for that answer, Dify keeps it, and pressing it again takes it back', async () => {
    const { page, sent, received, consoleErrors } = await openDemo(browser, stack);
    const answer = await ask(page, '年假有几天？');
    const answerId = await answer.getAttribute('data-answer-id');
    const { messageId } = stack.dify.streams.at(-1)!;
    const like = answer.getByRole('button', { name: 'Good answer' });

    await like.click();
    await page.locator('.rate[aria-pressed="true"]').waitFor();
    expect(sent.filter((m) => m.type === 'feedback')).toEqual([
      { type: 'feedback', answer_id: answerId, rating: 'like', session_id: expect.any(String) },
    ]);
    // Dify keeps it for that answer's message: the app's feedback list has it.
    await waitUntil(async () => (await difyFeedbacks()).some((f) => f.message_id === messageId));
    expect((await difyFeedbacks()).filter((f) => f.message_id === messageId)).toMatchObject([{ rating: 'like' }]);

    await like.click();
    await page.locator('.rate[aria-pressed="true"]').waitFor({ state: 'detached' });
    expect(sent.filter((m) => m.type === 'feedback').at(-1)).toMatchObject({ answer_id: answerId, rating: null });
    await waitUntil(async () => !(await difyFeedbacks()).some((f) => f.message_id === messageId));
    expect(await answer.locator('.feedback-error').textContent()).toBe('');
    expect(received.filter((m) => m.type === 'error')).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 30_000);

  it('shows Dify’s refusal of a rating beside the buttons and leaves the answer unrated', async () => {
    const { page, consoleErrors } = await openDemo(browser, stack);
    const answer = await ask(page, '年假有几天？');
    // Dify no longer knows the answer's message: it refuses the rating (404 Message Not Exists).
    stack.dify.forgetConversations();
    const like = answer.getByRole('button', { name: 'Good answer' });
    await like.click();

    await answer
      .locator('.feedback-error')
      .filter({ hasText: /^UPSTREAM_NOT_FOUND: / })
      .waitFor();
    expect(await like.getAttribute('aria-pressed')).toBe('false');
    expect(await page.locator('.bubble.error').count()).toBe(0);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 30_000);

  it('shows the follow-ups Dify suggests for the answer as chips under it, and a click asks one at once', async () => {
    const { page, sent, consoleErrors } = await openDemo(browser, stack);
    const answer = await ask(page, '什么是 RAG？');
    const { messageId, user } = stack.dify.streams.at(-1)!;
    // What Dify suggests after that message, asked of it directly.
    const response = await fetch(`${difyBaseUrl}/messages/${messageId}/suggested?user=${encodeURIComponent(user)}`, {
      headers: { Authorization: `Bearer ${TEST_API_KEY}` },
    });
    const { data: suggested } = (await response.json()) as { data: string[] };
    expect(suggested.length).toBeGreaterThan(0);

    const chips = answer.getByRole('group', { name: 'Suggested questions' }).getByRole('button');
    await chips.first().waitFor();
    expect(await chips.allTextContents()).toEqual(suggested);
    const asked = sent.length;
    await chips.first().click();
    await page.locator('.question', { hasText: suggested[0] }).waitFor();
    expect(sent.slice(asked, asked + 2)).toMatchObject([
      { type: 'asr_chunk', text: suggested[0], is_final: true },
      { type: 'control', action: 'instant_query' },
    ]);
    await page.locator('.answer[data-final="true"]').nth(1).waitFor({ timeout: 15_000 });
    expect(stack.dify.streams.at(-1)!.query).toBe(suggested[0]);
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 30_000);
});

describeWithChromium('"Speak answers" on a fresh clone (the embedded Dify), in a real browser (e2e)', () => {
  let app: Awaited<ReturnType<typeof startApp>>;
  let browser: Browser;
  beforeAll(async () => {
    app = await startApp({ DIFY_API_KEY: undefined, DIFY_BASE_URL: undefined, NODE_ENV: 'development' });
    browser = await launchChromium();
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('speaks the answer: ticked after connecting, the answer’s WAV arrives, and Chromium decodes and plays it', async () => {
    const { page, received, consoleErrors } = await openDemo(browser, app);
    const [speech] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/demo/speech')), page.check('#speak')]);
    expect(await speech.json()).toEqual({ textToSpeech: 'on' });

    await ask(page, '什么是 RAG？');
    await waitUntil(() => received.some((m) => m.type === 'audio' && m.final));
    const pieces = received.filter((m) => m.type === 'audio');
    expect(pieces[0]).toMatchObject({ format: 'wav' });
    const wav = Buffer.concat(pieces.map((m) => Buffer.from(m.audio, 'base64')));
    expect([wav.toString('latin1', 0, 4), wav.toString('latin1', 8, 12)]).toEqual(['RIFF', 'WAVE']);
    // 16-bit mono PCM at 16 kHz after its 44-byte header: what Chromium decodes lasts as long.
    const seconds = (wav.length - 44) / 32_000;

    expect(await playedAudio(page)).toEqual({ duration: expect.closeTo(seconds, 2), error: null, hidden: false });
    expect(await page.locator('#speak-note').textContent()).toBe('');
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'demo-page-speaking.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
    await page.close();
  }, 40_000);
});
