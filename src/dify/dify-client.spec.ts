import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { waitUntil } from '../../test/support/wait-until';
import { ShutdownSequence, ShutdownState } from '../lifecycle';
import { LocalDifyServer } from '../local-dify';
import { DifySettings } from './dify-settings';
import { DifyError } from './dify-error';
import { DifyClient } from './dify-client';

/** DifyClient against a real Dify-compatible server on loopback. */
describe('DifyClient', () => {
  let server: LocalDifyServer;
  let baseUrl: string;
  beforeAll(async () => {
    server = new LocalDifyServer({ apiKeys: ['app-unit'], chunkDelayMs: 5, firstChunkDelayMs: 0, pingIntervalMs: 50 });
    ({ baseUrl } = await server.listen());
  });
  afterAll(() => server.close());

  /** The shutdown of the last client made. */
  let shutdown: ShutdownState;
  let sequence: ShutdownSequence;
  function withShutdown(settings: DifySettings): DifyClient {
    shutdown = new ShutdownState();
    sequence = new ShutdownSequence(shutdown, { shutdownGraceMs: 0 });
    return new DifyClient(new HttpService(axios.create()), settings, shutdown, sequence);
  }

  function client(apiKey = 'app-unit', timeoutMs = 2000, retries = 0, url = baseUrl): DifyClient {
    const limits = {
      timeoutMs,
      firstTokenTimeoutMs: timeoutMs,
      totalTimeoutMs: 60_000,
      retries,
      retryBaseMs: 10,
      maxEventChars: 1024 * 1024,
    };
    const settings = new DifySettings(limits, { baseUrl: url, apiKey, embedded: false }, {});
    return withShutdown(settings);
  }

  it('answers in blocking mode with the same text the stream gives', async () => {
    const dify = client();
    const blocking = await lastValueFrom(dify.chat({ query: '年假有几天？', user: 'u' }));
    const events = await lastValueFrom(dify.streamChat({ query: '年假有几天？', user: 'u' }).pipe(toArray()));
    const streamed = events.map((e) => (e.kind === 'text' ? e.text : '')).join('');
    expect(blocking.answer).toBe(streamed);
    expect(blocking).toMatchObject({ conversationId: expect.any(String), messageId: expect.any(String), taskId: expect.any(String) });
    expect(blocking.retrieverResources[0]).toMatchObject({ document_name: 'acme-handbook-zh.md' });
    expect(server.requests.at(-2)!.body).toEqual({ query: '年假有几天？', inputs: {}, response_mode: 'blocking', user: 'u' });
  });

  it.each([
    ['chat, frames cut at random bytes', { appMode: 'chat' as const, splitWrites: true, seed: 11 }],
    ['chat, CRLF line endings and pre-1.8.1 JSON', { appMode: 'chat' as const, splitWrites: true, crlf: true, legacyJson: true, seed: 5 }],
    ['agent app', { appMode: 'agent-chat' as const, splitWrites: true, seed: 3 }],
    ['chatflow app', { appMode: 'advanced-chat' as const, splitWrites: true, seed: 9 }],
  ])('streams exactly the answer Dify produced, and lets the stream complete: %s', async (_name, options) => {
    const local = new LocalDifyServer({
      apiKeys: ['app-unit'],
      chunkChars: 3,
      chunkDelayMs: 0,
      firstChunkDelayMs: 0,
      pingIntervalMs: 7,
      ...options,
    });
    try {
      const dify = client('app-unit', 2000, 0, (await local.listen()).baseUrl);
      const events = await lastValueFrom(dify.streamChat({ query: '什么是 RAG？', user: 'u' }).pipe(toArray()));
      const [record] = local.streams;
      await waitUntil(() => record.outcome !== 'open'); // a chatflow's last events follow message_end
      expect(record.outcome).toBe('completed');
      expect(events.map((e) => (e.kind === 'text' ? e.text : '')).join('')).toBe(record.answer);
      expect(events.at(-1)).toMatchObject({ kind: 'end', taskId: record.taskId });
    } finally {
      await local.close();
    }
  });

  it('fails with a classified DifyError, in both modes', async () => {
    const dify = client('app-wrong');
    await expect(lastValueFrom(dify.chat({ query: 'hi', user: 'u' }))).rejects.toMatchObject({ kind: 'unauthorized', status: 401 });
    await expect(lastValueFrom(dify.streamChat({ query: 'hi', user: 'u' }))).rejects.toBeInstanceOf(DifyError);
    await expect(firstValueFrom(dify.probe())).rejects.toMatchObject({ kind: 'unauthorized' });
    await expect(firstValueFrom(client().probe())).resolves.toBeUndefined();
  });

  it('aborts the request and stops the task when unsubscribed mid-answer', async () => {
    const dify = client();
    const [first] = await lastValueFrom(dify.streamChat({ query: '什么是 RAG？', user: 'stopper' }).pipe(take(1), toArray()));
    const record = server.streams.find((s) => s.taskId === first.taskId)!;
    await waitUntil(() => record.outcome !== 'open' && server.stopCalls.some((c) => c.taskId === first.taskId));
    expect(record.outcome).toBe('client-closed');
    expect(server.stopCalls).toContainEqual({ taskId: first.taskId, user: 'stopper' });
  });

  it('stops a task cancelled before its first event once Dify names it, and not at all when handing over', async () => {
    const slow = new LocalDifyServer({ apiKeys: ['app-unit'], chunkDelayMs: 5, firstChunkDelayMs: 300 });
    try {
      const dify = client('app-unit', 2000, 0, (await slow.listen()).baseUrl);
      dify.streamChat({ query: '什么是 RAG？', user: 'early' }).subscribe().unsubscribe();
      await waitUntil(() => slow.stopCalls.length === 1);
      expect(slow.stopCalls[0]).toEqual({ taskId: slow.streams[0].taskId, user: 'early' });
      await waitUntil(() => slow.streams[0].generation !== 'running');
      expect(slow.streams[0].generation).toBe('stopped');

      shutdown.handOver();
      const subscription = dify.streamChat({ query: '什么是 RAG？', user: 'handed-over' }).subscribe();
      await waitUntil(() => slow.streams.length === 2);
      subscription.unsubscribe();
      await waitUntil(() => slow.streams[1].generation !== 'running');
      expect(slow.streams[1].generation).toBe('completed');
      expect(slow.stopCalls).toHaveLength(1);
    } finally {
      await slow.close();
    }
  });

  it('counts a cancelled call open until its request closed and its stop call was answered', async () => {
    const dify = client();
    const [first] = await lastValueFrom(dify.streamChat({ query: '什么是 RAG？', user: 'closing' }).pipe(take(1), toArray()));
    await dify.closed('closing');
    // Dify answered the stop call only after stopping the generation.
    expect(server.stopCalls).toContainEqual({ taskId: first.taskId, user: 'closing' });
    expect(server.streams.find((s) => s.taskId === first.taskId)!.generation).toBe('stopped');
  });

  it('aborts a call whose headers never come at DIFY_TIMEOUT, a cancelled one too, and counts it open until then', async () => {
    const dify = client('app-unit', 300);
    server.injectFault({ kind: 'silent' });
    await waitUntil(() => server.chatRequestsOpen === 0);
    await expect(lastValueFrom(dify.streamChat({ query: 'hi?', user: 'silent' }))).rejects.toMatchObject({ kind: 'timeout' });
    await dify.closed('silent');
    await waitUntil(() => server.chatRequestsOpen === 0);

    // Cancelled at once: it waits for Dify to name its task (to stop it), but not beyond DIFY_TIMEOUT.
    const patient = client('app-unit', 1500);
    server.injectFault({ kind: 'silent' });
    patient.streamChat({ query: 'hi?', user: 'silent-cancelled' }).subscribe().unsubscribe();
    let closed = false;
    const closing = patient.closed('silent-cancelled').then(() => (closed = true));
    await waitUntil(() => server.chatRequestsOpen === 1);
    expect(closed).toBe(false);
    await closing;
    await waitUntil(() => server.chatRequestsOpen === 0);
    expect(server.stopCalls.filter((c) => c.user.startsWith('silent'))).toEqual([]);
  });

  it('at shutdown, waits for the stop calls under way', async () => {
    const dify = client();
    const [first] = await lastValueFrom(dify.streamChat({ query: '什么是 RAG？', user: 'leaving' }).pipe(take(1), toArray()));
    await sequence.beforeApplicationShutdown();
    expect(server.stopCalls).toContainEqual({ taskId: first.taskId, user: 'leaving' });
  });

  it('times out when nothing but pings arrives, and has no task to stop', async () => {
    const dify = client('app-unit', 300);
    const stopsBefore = server.stopCalls.length;
    server.injectFault({ kind: 'hang' });
    await expect(lastValueFrom(dify.streamChat({ query: 'hi?', user: 'u' }))).rejects.toMatchObject({ kind: 'timeout', retryable: true });
    expect(server.stopCalls.length).toBe(stopsBefore);
  });

  it('times out when events come but no answer text does (DIFY_FIRST_TOKEN_TIMEOUT), and when the whole answer is too slow', async () => {
    const agent = new LocalDifyServer({ apiKeys: ['app-unit'], appMode: 'agent-chat', firstChunkDelayMs: 1000, chunkDelayMs: 50 });
    const agentUrl = (await agent.listen()).baseUrl;
    const connect = (limits: { firstTokenTimeoutMs?: number; totalTimeoutMs?: number }) => {
      const config = {
        timeoutMs: 5000,
        firstTokenTimeoutMs: 5000,
        totalTimeoutMs: 60_000,
        retries: 0,
        retryBaseMs: 10,
        maxEventChars: 1024 * 1024,
        ...limits,
      };
      const settings = new DifySettings(config, { baseUrl: agentUrl, apiKey: 'app-unit', embedded: false }, {});
      return withShutdown(settings);
    };
    try {
      const noText = connect({ firstTokenTimeoutMs: 200 }).streamChat({ query: 'What is RAG?', user: 'u' });
      await expect(lastValueFrom(noText)).rejects.toMatchObject({ kind: 'timeout', message: expect.stringMatching(/no answer text/) });
      agent.options.firstChunkDelayMs = 0;
      const tooLong = connect({ totalTimeoutMs: 300 }).streamChat({ query: 'What is RAG?', user: 'u' });
      await expect(lastValueFrom(tooLong)).rejects.toMatchObject({ kind: 'timeout', message: expect.stringMatching(/too long/) });
    } finally {
      await agent.close();
    }
  });

  it('retries 429, 5xx and connection resets before any event, and never after text was given', async () => {
    const dify = client('app-unit', 2000, 2);
    const calls = () => server.requests.filter((r) => r.path === '/v1/chat-messages').length;
    let before = calls();
    server.injectFault({ kind: 'http', status: 429, code: 'too_many_requests', message: 'Too many requests' });
    server.injectFault({ kind: 'destroy' });
    const events = await lastValueFrom(dify.streamChat({ query: 'What is RAG?', user: 'u' }).pipe(toArray()));
    expect(events.at(-1)!.kind).toBe('end');
    expect(calls() - before).toBe(3);

    before = calls();
    for (let i = 0; i < 3; i++) server.injectFault({ kind: 'http', status: 503, code: 'internal_server_error' });
    await expect(lastValueFrom(dify.streamChat({ query: 'What is RAG?', user: 'u' }))).rejects.toMatchObject({ kind: 'unavailable' });
    expect(calls() - before).toBe(3);

    before = calls();
    server.injectFault({ kind: 'http', status: 401, code: 'unauthorized' });
    await expect(lastValueFrom(dify.streamChat({ query: 'What is RAG?', user: 'u' }))).rejects.toMatchObject({ kind: 'unauthorized' });
    server.injectFault({ kind: 'cut', afterChunks: 2 });
    await expect(lastValueFrom(dify.streamChat({ query: 'What is RAG?', user: 'u' }))).rejects.toMatchObject({
      kind: 'stream_interrupted',
    });
    expect(calls() - before).toBe(2);
  });
});
