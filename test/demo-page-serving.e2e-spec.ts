import { Stack, startStack } from './support/stack';

/** What Chromium sends for a page. */
const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8' };
const SERVICE_INFO = { name: 'realtime-rag', version: expect.stringMatching(/^\d+\.\d+\.\d+/), status: 'running' };

describe('serving the demo page (e2e)', () => {
  let stack: Stack | undefined;
  afterEach(() => stack?.close());

  it('serves the page and its files at / with no external resources, the client library at /client/, and tells it WS_PATH', async () => {
    stack = await startStack({ env: { WS_PATH: '/speech' } });
    const page = await fetch(`${stack.httpUrl}/`, { headers: BROWSER });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('id="transcript"');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const file of ['demo.js', 'audio-player.js', 'demo.css']) expect((await fetch(`${stack.httpUrl}/${file}`)).status).toBe(200);
    // The client library, compiled for browsers (an ES module needs a JavaScript content type).
    const library = await fetch(`${stack.httpUrl}/client/realtime-rag-client.js`);
    expect(library.status).toBe(200);
    expect(library.headers.get('content-type')).toMatch(/javascript/);
    expect(await library.text()).toContain('export class RealtimeRagClient');
    expect((await fetch(`${stack.httpUrl}/client/no-such-file.js`)).status).toBe(404);
    expect(await (await fetch(`${stack.httpUrl}/demo/config`)).json()).toEqual({
      wsPath: '/speech',
      apps: ['default'],
      defaultApp: 'default',
    });
    // The stack's Dify app has text to speech off (LocalDifyServer's default).
    expect(await (await fetch(`${stack.httpUrl}/demo/speech`)).json()).toEqual({ textToSpeech: 'off' });
    expect((await fetch(`${stack.httpUrl}/health`)).status).toBe(200);
  });

  it('answers a program at / with the name and version as JSON, as the Python service did: Accept application/json or */*', async () => {
    stack = await startStack();
    for (const headers of [{ accept: 'application/json' }, { accept: '*/*' }]) {
      const info = await fetch(`${stack.httpUrl}/`, { headers });
      expect({ headers, status: info.status, type: info.headers.get('content-type'), vary: info.headers.get('vary') }).toEqual({
        headers,
        status: 200,
        type: expect.stringMatching(/^application\/json/),
        vary: expect.stringMatching(/Accept/),
      });
      expect(await info.json()).toEqual(SERVICE_INFO);
    }
    expect((await fetch(`${stack.httpUrl}/`, { headers: BROWSER })).headers.get('vary')).toMatch(/Accept/);
  });

  it('DEMO_PAGE=false serves no page: / answers JSON, to browsers too', async () => {
    stack = await startStack({ env: { DEMO_PAGE: 'false' } });
    for (const headers of [BROWSER, { accept: 'application/json' }]) {
      const info = await fetch(`${stack.httpUrl}/`, { headers });
      expect(info.status).toBe(200);
      expect(await info.json()).toEqual(SERVICE_INFO);
    }
    expect((await fetch(`${stack.httpUrl}/demo.js`)).status).toBe(404);
    expect((await fetch(`${stack.httpUrl}/client/realtime-rag-client.js`)).status).toBe(404);
    expect((await fetch(`${stack.httpUrl}/demo/speech`)).status).toBe(404);
    expect((await fetch(`${stack.httpUrl}/health`)).status).toBe(200);
  });
});
