import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { waitUntil } from '../../test/support/wait-until';
import { LocalDifyServer } from '../local-dify';
import { DifyConnection } from './dify-connection';
import { DifyError } from './dify-error';
import { DifyClient } from './dify.client';

/** DifyClient against a real Dify-compatible server on loopback. */
describe('DifyClient', () => {
  let server: LocalDifyServer;
  let baseUrl: string;
  beforeAll(async () => {
    server = new LocalDifyServer({ apiKeys: ['app-unit'], chunkDelayMs: 5, firstChunkDelayMs: 0, pingIntervalMs: 50 });
    ({ baseUrl } = await server.listen());
  });
  afterAll(() => server.close());

  async function client(apiKey = 'app-unit', timeoutMs = 2000): Promise<DifyClient> {
    const connection = new DifyConnection({ apiKey, baseUrl, timeoutMs, inputs: {} });
    await connection.onModuleInit();
    return new DifyClient(new HttpService(axios.create()), connection);
  }

  it('answers in blocking mode with the same text the stream gives', async () => {
    const dify = await client();
    const blocking = await lastValueFrom(dify.chat({ query: '年假有几天？', user: 'u' }));
    const events = await lastValueFrom(dify.streamChat({ query: '年假有几天？', user: 'u' }).pipe(toArray()));
    const streamed = events.map((e) => (e.kind === 'text' ? e.text : '')).join('');
    expect(blocking.answer).toBe(streamed);
    expect(blocking).toMatchObject({ conversationId: expect.any(String), messageId: expect.any(String), taskId: expect.any(String) });
    expect(blocking.retrieverResources[0]).toMatchObject({ document_name: 'acme-handbook-zh.md' });
    expect(server.requests.at(-2)!.body).toEqual({ query: '年假有几天？', inputs: {}, response_mode: 'blocking', user: 'u' });
  });

  it('fails with a classified DifyError, in both modes', async () => {
    const dify = await client('app-wrong');
    await expect(lastValueFrom(dify.chat({ query: 'hi', user: 'u' }))).rejects.toMatchObject({ kind: 'unauthorized', status: 401 });
    await expect(lastValueFrom(dify.streamChat({ query: 'hi', user: 'u' }))).rejects.toBeInstanceOf(DifyError);
    await expect(firstValueFrom(dify.probe())).rejects.toMatchObject({ kind: 'unauthorized' });
    await expect(firstValueFrom((await client()).probe())).resolves.toBeUndefined();
  });

  it('aborts the request and stops the task when unsubscribed mid-answer', async () => {
    const dify = await client();
    const [first] = await lastValueFrom(dify.streamChat({ query: '什么是 RAG？', user: 'stopper' }).pipe(take(1), toArray()));
    const record = server.streams.find((s) => s.taskId === first.taskId)!;
    await waitUntil(() => record.outcome !== 'open' && server.stopCalls.some((c) => c.taskId === first.taskId));
    expect(record.outcome).toBe('client-closed');
    expect(server.stopCalls).toContainEqual({ taskId: first.taskId, user: 'stopper' });
  });

  it('times out when nothing but pings arrives, and has no task to stop', async () => {
    const dify = await client('app-unit', 300);
    const stopsBefore = server.stopCalls.length;
    server.injectFault({ kind: 'hang' });
    await expect(lastValueFrom(dify.streamChat({ query: 'hi?', user: 'u' }))).rejects.toMatchObject({ kind: 'timeout', retryable: true });
    expect(server.stopCalls.length).toBe(stopsBefore);
  });
});
