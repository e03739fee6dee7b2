import { once } from 'node:events';
import { heard, TEST_LIMITS, testHttp } from '../../../test/support/upstream-events';
import { waitUntil } from '../../../test/support/wait-until';
import { LocalRagflowOptions, LocalRagflowServer } from '../../local-dify';
import { UpstreamError } from '../upstream-error';
import { RagflowUpstream } from './ragflow-upstream';
import { parseRagflowSettings } from './ragflow-settings';

describe('RagflowUpstream against the local RAGFlow server', () => {
  let server: LocalRagflowServer;
  let baseUrl: string;

  const start = async (options: LocalRagflowOptions = {}, entry: Record<string, unknown> = {}) => {
    server = new LocalRagflowServer({ splitWrites: true, chunkDelayMs: 1, firstChunkDelayMs: 1, chunkChars: 3, ...options });
    ({ baseUrl } = await server.listen());
    const settings = parseRagflowSettings('kb', { base_url: baseUrl, api_key: 'local-key', chat_id: 'local-chat', ...entry });
    return new RagflowUpstream(settings, testHttp(), TEST_LIMITS);
  };
  afterEach(() => server.close());
  const ask = (query: string, conversationId?: string) => ({ query, user: 'p:s1', conversationId });

  it.each([
    ['delta', {}],
    ['legacy (cumulative, ≤ v0.23)', { legacy: true }],
    ['delta with reasoning', { thinking: true }],
    ['legacy with reasoning', { legacy: true, thinking: true }],
  ])('streams a %s answer as exact deltas, reasoning never in the text', async (_name, options) => {
    const ragflow = await start(options);
    const { text, end, events, error } = await heard(ragflow.ask(ask('什么是 RAG？')));
    expect(error).toBeUndefined();
    expect(text).toBe(server.streams[0].answer);
    expect(events.some((e) => e.kind === 'replace')).toBe(false);
    expect(text).not.toContain('think');
    expect(end?.retrieverResources.length).toBeGreaterThan(0);
    expect(end?.retrieverResources[0]).toMatchObject({ position: 1, dataset_id: 'local-dataset', content: expect.any(String) });
    if ((options as LocalRagflowOptions).thinking)
      expect(events.some((e) => e.kind === 'progress' && e.step?.type === 'thinking')).toBe(true);
  });

  it('tells a cumulative stream apart without being told (stream: auto), and honours stream: legacy', async () => {
    for (const stream of ['auto', 'legacy']) {
      const ragflow = await start({ legacy: true }, { stream });
      const { text } = await heard(ragflow.ask(ask('What is RAG?')));
      expect(text).toBe(server.streams[0].answer);
      if (stream === 'auto') await server.close();
    }
  });

  it('continues the session RAGFlow named on the first question', async () => {
    const ragflow = await start();
    const first = await heard(ragflow.ask(ask('What is RAG?')));
    const session = first.end?.conversationId;
    expect(session).toMatch(/^[0-9a-f]{32}$/);
    await heard(ragflow.ask(ask('And refunds?', session)));
    expect(server.sessions.get(session!)?.turns).toBe(2);
    expect((server.requests.at(-1)?.body as { session_id?: string }).session_id).toBe(session);
  });

  it('maps a session RAGFlow does not know to conversation_not_found', async () => {
    const ragflow = await start();
    const { error } = await heard(ragflow.ask(ask('What is RAG?', 'deadbeef')));
    expect(error).toMatchObject({ kind: 'conversation_not_found', provider: 'ragflow' });
  });

  it('maps a refused key (HTTP 200, code 109) to unauthorized', async () => {
    const ragflow = await start({}, { api_key: 'ragflow-secret' });
    const { error } = await heard(ragflow.ask(ask('What is RAG?')));
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ kind: 'unauthorized', code: '109' });
    expect((error as Error).message).not.toContain('ragflow-secret');
  });

  it.each([
    // RAGFlow's in-stream failure is `code: 500` with an `**ERROR**` answer: a server error.
    [{ kind: 'error-event', afterChunks: 2 } as const, 'unavailable'],
    [{ kind: 'cut', afterChunks: 2 } as const, 'stream_interrupted'],
    [{ kind: 'http', status: 429 } as const, 'rate_limited'],
    [{ kind: 'http', status: 502, html: true } as const, 'unavailable'],
  ])('maps %j to %s', async (fault, kind) => {
    const ragflow = await start();
    server.injectFault(fault);
    const { error } = await heard(ragflow.ask(ask('What is RAG?')));
    expect(error).toMatchObject({ kind });
  });

  it('closes the request when unsubscribed', async () => {
    const ragflow = await start();
    server.injectFault({ kind: 'endless' });
    const subscription = ragflow.ask(ask('What is RAG?')).subscribe();
    await waitUntil(() => server.streams.length === 1);
    const ended = once(server, 'stream-end');
    subscription.unsubscribe();
    await ended;
    expect(server.streams[0].outcome).toBe('client-closed');
  });

  it('is ready when its chat is listed with the key', async () => {
    const ragflow = await start();
    await expect(ragflow.whyUnready()).resolves.toBeUndefined();
    const settings = parseRagflowSettings('kb', { base_url: baseUrl, api_key: 'local-key', chat_id: 'other' });
    const other = new RagflowUpstream(settings, testHttp(), TEST_LIMITS);
    await expect(other.whyUnready()).resolves.toMatch(/code 102/);
  });
});
