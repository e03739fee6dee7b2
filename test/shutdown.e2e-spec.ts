import { upgradeStatus } from './support/net';
import { Stack, StackOptions, startStack } from './support/stack';
import { waitUntil } from './support/wait-until';

describe('graceful shutdown (e2e)', () => {
  // Each test shuts its app down itself; this closes the rest (the local Dify), or all of it after a failure.
  let opened: Stack | undefined;
  afterEach(() => opened?.close());
  const start = async (options: StackOptions) => (opened = await startStack(options));

  it('turns readiness 503 and refuses upgrades while it lets the answer finish, then closes with 1001', async () => {
    const stack = await start({ env: { SHUTDOWN_GRACE_MS: '5000' }, dify: { chunkDelayMs: 20, chunkChars: 2 } });
    const client = await stack.connect();
    client.send({ type: 'asr_chunk', text: '什么是 RAG？', is_final: true });
    await client.waitFor((m) => m.type === 'answer');
    const closing = stack.app.close();
    const ready = `${stack.httpUrl}/health/ready`;
    await waitUntil(async () => (await fetch(ready)).status === 503);
    expect(await upgradeStatus(stack.wsUrl)).toBe(503);
    // Both while the answer still streams (two characters every 20 ms): not once it is over.
    expect(client.received.some((m) => m.type === 'answer' && m.final === true)).toBe(false);
    const { chunks, text } = await client.answer();
    expect(chunks.at(-1)).toMatchObject({ finish_reason: 'complete' });
    expect(text).toBe(stack.dify.streams[0].answer);
    expect((await client.waitForClose()).code).toBe(1001);
    await closing;
  });

  it('ends each answer that outlasts SHUTDOWN_GRACE_MS: interrupted final chunk, SHUTTING_DOWN, close 1001; stopped upstream and logged before close() resolves', async () => {
    const stack = await start({ env: { SHUTDOWN_GRACE_MS: '200' }, dify: { chunkDelayMs: 200, chunkChars: 1 } });
    const clients = await Promise.all(Array.from({ length: 5 }, () => stack.connect()));
    clients.forEach((client, i) => client.send({ type: 'asr_chunk', text: '什么是 RAG？', is_final: true, session_id: `long-${i}` }));
    await Promise.all(clients.map((client) => client.waitFor((m) => m.type === 'answer')));
    await stack.app.close();

    // Already now, not eventually: every stop reached Dify and every disconnect was logged.
    const streams = stack.dify.streams.map(({ taskId, user }) => ({ taskId, user }));
    expect(streams).toHaveLength(5);
    expect(stack.dify.stopCalls).toHaveLength(5);
    expect(stack.dify.stopCalls).toEqual(expect.arrayContaining(streams));
    for (const [i, client] of clients.entries()) {
      const session_id = `long-${i}`;
      expect(stack.dify.stopCalls).toContainEqual({ taskId: expect.any(String), user: expect.stringContaining(session_id) });
      expect(stack.logs.lines).toContainEqual(expect.stringContaining(`WebSocket closed: session ${session_id}`));
      const { chunks } = await client.answer();
      const final = chunks.at(-1)!;
      expect(final).toMatchObject({ type: 'answer', content: '', final: true, finish_reason: 'interrupted', session_id });
      expect(client.received.slice(client.received.indexOf(final) + 1)).toEqual([
        { type: 'error', code: 'SHUTTING_DOWN', message: expect.stringMatching(/shutting down/), retryable: true, session_id },
      ]);
      expect((await client.waitForClose()).code).toBe(1001);
    }
  });

  it('does not wait for a client that stopped reading longer than a moment', async () => {
    const stack = await start({ env: { SHUTDOWN_GRACE_MS: '200' }, dify: { chunkDelayMs: 200, chunkChars: 1 } });
    const [reader, stalled] = await Promise.all([stack.connect(), stack.connect()]);
    for (const client of [reader, stalled]) client.send({ type: 'asr_chunk', text: '什么是 RAG？', is_final: true });
    await Promise.all([reader, stalled].map((client) => client.waitFor((m) => m.type === 'answer')));
    stalled.socket.pause();
    // close() resolves while the stalled client still reads nothing (it never will): the app cut it
    // off after the 2 s it gets to read the rest and close. How long that takes is no test's business.
    await stack.app.close();
    expect(stalled.socket.isPaused).toBe(true);
    expect(stack.dify.stopCalls).toHaveLength(2);
    expect(reader.received.at(-1)).toMatchObject({ type: 'error', code: 'SHUTTING_DOWN' });
    expect((await reader.waitForClose()).code).toBe(1001);
  });
});
