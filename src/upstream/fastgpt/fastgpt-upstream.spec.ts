import { once } from 'node:events';
import { heard, TEST_LIMITS, testHttp } from '../../../test/support/upstream-events';
import { waitUntil } from '../../../test/support/wait-until';
import { LocalFastGptServer } from '../../local-dify';
import { FastGptUpstream } from './fastgpt-upstream';
import { parseFastGptSettings } from './fastgpt-settings';

describe('FastGptUpstream against the local FastGPT server', () => {
  let server: LocalFastGptServer;
  let baseUrl: string;

  beforeEach(async () => {
    server = new LocalFastGptServer({ splitWrites: true, chunkDelayMs: 1, firstChunkDelayMs: 1, chunkChars: 3 });
    ({ baseUrl } = await server.listen());
  });
  afterEach(() => server.close());

  const upstream = (key = 'local-key') =>
    new FastGptUpstream(parseFastGptSettings('kb', { base_url: baseUrl, api_key: key }), testHttp(), TEST_LIMITS);
  const ask = (query: string, conversationId?: string) => ({ query, user: 'p:s1', conversationId, inputs: { name: '张三' } });

  it('streams the answer byte-exact, its nodes as progress and its quotes as sources', async () => {
    const { text, end, events, error } = await heard(upstream().ask(ask('什么是 RAG？')));
    expect(error).toBeUndefined();
    expect(text).toBe(server.streams[0].answer);
    expect(events.filter((e) => e.kind === 'progress').map((e) => e.kind === 'progress' && e.step?.name)).toEqual([
      '知识库搜索',
      'AI 对话',
    ]);
    expect(end?.retrieverResources.length).toBeGreaterThan(0);
    expect(end?.retrieverResources[0]).toMatchObject({ position: 1, dataset_id: 'local-dataset', score: expect.any(Number) });
  });

  it('sends detail, the session inputs as variables, and one chatId per session', async () => {
    const first = await heard(upstream().ask(ask('What is RAG?')));
    const chatId = first.end!.conversationId;
    await heard(upstream().ask(ask('And refunds?', chatId)));
    expect(server.chats.get(chatId)).toEqual(['What is RAG?', 'And refunds?']);
    expect(server.requests.at(-1)?.body).toMatchObject({ chatId, detail: true, stream: true, variables: { name: '张三' } });
    expect(first.end!.messageId).toBe((server.requests[0].body as { responseChatItemId: string }).responseChatItemId);
  });

  it.each([
    [{ kind: 'error-event', afterChunks: 2 } as const, 'rejected'],
    [{ kind: 'cut', afterChunks: 2 } as const, 'stream_interrupted'],
    [{ kind: 'http', status: 429 } as const, 'rate_limited'],
    [{ kind: 'http', status: 500 } as const, 'unavailable'],
  ])('maps %j to %s', async (fault, kind) => {
    server.injectFault(fault);
    const { error } = await heard(upstream().ask(ask('What is RAG?')));
    expect(error).toMatchObject({ kind, provider: 'fastgpt' });
  });

  it('maps a refused key to unauthorized, without the key', async () => {
    const { error } = await heard(upstream('fastgpt-secret').ask(ask('What is RAG?')));
    expect(error).toMatchObject({ kind: 'unauthorized', status: 401, code: 'unAuthorization' });
    expect((error as Error).message).not.toContain('fastgpt-secret');
  });

  it('closes the request when unsubscribed', async () => {
    server.injectFault({ kind: 'endless' });
    const subscription = upstream().ask(ask('What is RAG?')).subscribe();
    await waitUntil(() => server.streams.length === 1);
    const ended = once(server, 'stream-end');
    subscription.unsubscribe();
    await ended;
    expect(server.streams[0].outcome).toBe('client-closed');
  });
});
