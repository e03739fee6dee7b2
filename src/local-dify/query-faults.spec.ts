import { LocalDifyServer } from './local-dify-server';

const KEY = 'app-test';

describe('LocalDifyServer.injectQueryFault', () => {
  let server: LocalDifyServer;
  let baseUrl: string;
  beforeEach(async () => {
    server = new LocalDifyServer({ apiKeys: [KEY], chunkDelayMs: 0, firstChunkDelayMs: 0, record: false });
    baseUrl = (await server.listen()).baseUrl;
  });
  afterEach(() => server.close());

  const chat = (query: string, signal?: AbortSignal) =>
    fetch(`${baseUrl}/chat-messages`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ query, inputs: {}, user: 'u1', response_mode: 'streaming' }),
      signal,
    });

  it('plays an endless answer on every question with the marker, and answers the others', async () => {
    server.injectQueryFault('[endless]', { kind: 'endless' });
    for (let round = 0; round < 2; round++) {
      const stop = new AbortController();
      const reader = (await chat('[endless] What is RAG?', stop.signal)).body!.getReader();
      let bytes = 0;
      while (bytes < 100_000) bytes += ((await reader.read()).value as Uint8Array).length;
      stop.abort();
      await reader.closed.catch(() => undefined);
    }
    const normal = await (await chat('What is RAG?')).text();
    expect(normal).toContain('"event":"message_end"');
  });

  it('plays a request fault on every question with the marker, none on the others', async () => {
    server.injectQueryFault('[broken]', { kind: 'http', status: 502 });
    expect((await chat('[broken] What is RAG?')).status).toBe(502);
    expect((await chat('[broken] Again?')).status).toBe(502);
    const normal = await chat('What is RAG?');
    expect(normal.status).toBe(200);
    await normal.text();
  });
});
