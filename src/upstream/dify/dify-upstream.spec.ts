import { HttpService } from '@nestjs/axios';
import { heard, TEST_LIMITS, testHttp } from '../../../test/support/upstream-events';
import { DifyClient, DifySettings } from '../../dify';
import { LocalDifyServer } from '../../local-dify';
import { ShutdownSequence, ShutdownState } from '../../lifecycle';
import { InMemorySessionStore, SessionRecords } from '../../session';
import { createUpstream, parseProviderSettings } from '../providers';

describe('DifyUpstream: DifyClient behind the port', () => {
  let server: LocalDifyServer;
  let url: string;

  beforeEach(async () => {
    server = new LocalDifyServer({ chunkDelayMs: 1, firstChunkDelayMs: 1 });
    ({ baseUrl: url } = await server.listen());
  });
  afterEach(() => server.close());

  const upstream = (apiKey = 'app-local-dify') => {
    const settings = new DifySettings(TEST_LIMITS, { baseUrl: url, apiKey, embedded: false }, {});
    const shutdown = new ShutdownState();
    const dify = new DifyClient(new HttpService(testHttp()), settings, shutdown, new ShutdownSequence(shutdown, { shutdownGraceMs: 0 }));
    return createUpstream(parseProviderSettings('hr', {}), {
      http: testHttp(),
      limits: TEST_LIMITS,
      sessions: new SessionRecords(new InMemorySessionStore(1000, 1)),
      dify,
    });
  };

  it("gives Dify's events unchanged, and closes its calls", async () => {
    const dify = upstream();
    const { text, end, error } = await heard(dify.ask({ query: 'What is RAG?', user: 'p:s1' }));
    expect(error).toBeUndefined();
    expect(text).toBe(server.streams[0].answer);
    expect(end?.conversationId).toBe(server.streams[0].conversationId);
    await expect(dify.closed('p:s1')).resolves.toBeUndefined();
  });

  it('is ready when Dify takes the key', async () => {
    await expect(upstream().whyUnready()).resolves.toBeUndefined();
    await expect(upstream('app-wrong').whyUnready()).resolves.toMatch(/401/);
  });
});
