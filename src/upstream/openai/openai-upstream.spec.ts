import { once } from 'node:events';
import { take } from 'rxjs';
import { heard, TEST_LIMITS, testHttp } from '../../../test/support/upstream-events';
import { waitUntil } from '../../../test/support/wait-until';
import { LocalDifyServer } from '../../local-dify';
import { InMemorySessionStore, SessionRecords } from '../../session';
import { UpstreamError } from '../upstream-error';
import { UpstreamLimits } from '../upstream-limits';
import { OpenAiUpstream } from './openai-upstream';
import { parseOpenAiSettings } from './openai-settings';
import { TurnMemory } from './turn-memory';

describe('OpenAiUpstream against the local server', () => {
  let server: LocalDifyServer;
  let baseUrl: string;
  let sessions: InMemorySessionStore;

  beforeEach(async () => {
    // Frames cut at random bytes, inside UTF-8 characters too.
    server = new LocalDifyServer({ splitWrites: true, chunkDelayMs: 1, firstChunkDelayMs: 1, chunkChars: 3 });
    ({ baseUrl } = await server.listen());
    sessions = new InMemorySessionStore(60_000, 100);
  });
  afterEach(() => server.close());

  const upstream = (entry: Record<string, unknown> = {}, limits: Partial<UpstreamLimits> = {}) => {
    const settings = parseOpenAiSettings('kb', { base_url: baseUrl, api_key: 'app-local-dify', model: 'local-rag', ...entry });
    return new OpenAiUpstream(
      settings,
      testHttp(),
      { ...TEST_LIMITS, ...limits },
      new TurnMemory(new SessionRecords(sessions), settings.historyTurns, settings.historyChars),
    );
  };
  const ask = (query: string, session = 's1') => ({ query, user: 'p:s1', session });
  const lastBody = () =>
    server.requests.filter((r) => r.path === '/v1/chat/completions').at(-1)?.body as { messages: Array<{ role: string; content: string }> };

  it('streams the answer byte-exact, with usage, and asks with the system prompt', async () => {
    const { text, end, error } = await heard(upstream({ system_prompt: 'Be brief.' }).ask(ask('什么是 RAG？')));
    expect(error).toBeUndefined();
    await waitUntil(() => server.openAiStreams.length === 1);
    expect(text).toBe(server.openAiStreams[0].answer);
    expect(text).toMatch(/[\u4e00-\u9fff]/);
    expect(end?.usage?.total_tokens).toBeGreaterThan(0);
    expect(lastBody().messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
  });

  it('sends the session’s earlier turns, and forgets an answer that was cancelled', async () => {
    const openai = upstream();
    const first = await heard(openai.ask(ask('What is RAG?')));
    await waitUntil(async () => ((await sessions.get('s1'))?.history?.length ?? 0) === 1);
    // Cancelled after its first piece: never remembered as said.
    await new Promise<void>((resolve) => openai.ask(ask('How do refunds work?')).pipe(take(1)).subscribe({ complete: resolve }));
    await once(server, 'openai-stream-end');
    await heard(openai.ask(ask('And the third?')));
    expect(lastBody().messages).toEqual([
      { role: 'user', content: 'What is RAG?' },
      { role: 'assistant', content: first.text },
      { role: 'user', content: 'And the third?' },
    ]);
  });

  it('keeps at most history_turns pairs within history_chars', async () => {
    const openai = upstream({ history_turns: 1 });
    await heard(openai.ask(ask('What is RAG?')));
    await heard(openai.ask(ask('How do refunds work?')));
    await waitUntil(async () => (await sessions.get('s1'))?.history?.[0]?.question === 'How do refunds work?');
    await heard(openai.ask(ask('Third')));
    expect(lastBody().messages.map((m) => m.content)).toEqual(['How do refunds work?', expect.any(String), 'Third']);
    await heard(upstream({ history_chars: 10 }).ask(ask('Fourth')));
    expect(lastBody().messages).toHaveLength(1);
  });

  it('closes the request when unsubscribed', async () => {
    server.injectFault({ kind: 'endless' });
    const subscription = upstream().ask(ask('What is RAG?')).subscribe();
    await waitUntil(() => server.requests.some((r) => r.path === '/v1/chat/completions'));
    const ended = once(server, 'openai-stream-end');
    await new Promise((resolve) => setTimeout(resolve, 50)); // let some text flow first
    subscription.unsubscribe();
    const [record] = (await ended) as Array<{ outcome: string }>;
    expect(record.outcome).toBe('client-closed');
  });

  it.each([
    [{ kind: 'http', status: 429 } as const, 'rate_limited', 429],
    [{ kind: 'http', status: 503, html: true } as const, 'unavailable', 503],
    [{ kind: 'http', status: 400 } as const, 'rejected', 400],
    [{ kind: 'cut', afterChunks: 2 } as const, 'stream_interrupted', undefined],
    [{ kind: 'error-event', afterChunks: 1 } as const, 'rejected', undefined],
    [{ kind: 'destroy' } as const, 'unavailable', undefined],
  ])('maps %j to %s', async (fault, kind, status) => {
    server.injectFault(fault);
    const { error } = await heard(upstream().ask(ask('What is RAG?')));
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ kind, status, provider: 'openai' });
  });

  it('maps a refused key to unauthorized, without the key in the message', async () => {
    const { error } = await heard(upstream({ api_key: 'sk-secret-key' }).ask(ask('What is RAG?')));
    expect(error).toMatchObject({ kind: 'unauthorized', status: 401 });
    expect(String((error as Error).message)).not.toContain('sk-secret-key');
  });

  it('times out a server that sends headers and nothing more', async () => {
    server.injectFault({ kind: 'hang' });
    const { error } = await heard(upstream({}, { timeoutMs: 300 }).ask(ask('What is RAG?')));
    expect(error).toMatchObject({ kind: 'timeout' });
  });

  it('retries a 503 before the first event', async () => {
    server.injectFault({ kind: 'http', status: 503 });
    const { text, error } = await heard(upstream({}, { retries: 1 }).ask(ask('What is RAG?')));
    expect(error).toBeUndefined();
    expect(text.length).toBeGreaterThan(0);
  });

  it('is ready when the server lists its models with the key', async () => {
    await expect(upstream().whyUnready()).resolves.toBeUndefined();
    await expect(upstream({ api_key: 'wrong' }).whyUnready()).resolves.toMatch(/401/);
  });
});
