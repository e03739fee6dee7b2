import { upgradeStatus } from './support/net';
import { startStack } from './support/stack';


describe('graceful shutdown (e2e)', () => {
  it('turns readiness 503 and refuses upgrades at once, lets the answer finish, then closes with 1001', async () => {
    const stack = await startStack({ env: { SHUTDOWN_GRACE_MS: '5000' }, dify: { chunkDelayMs: 20, chunkChars: 4 } });
    const client = await stack.connect();
    client.send({ type: 'asr_chunk', text: '什么是 RAG？', is_final: true });
    await client.waitFor((m) => m.type === 'answer');
    const closing = stack.app.close();
    await new Promise((r) => setTimeout(r, 30));
    expect((await fetch(`${stack.httpUrl}/health/ready`)).status).toBe(503);
    expect(await upgradeStatus(stack.wsUrl)).toBe(503);
    const { chunks, text } = await client.answer();
    expect(chunks.at(-1)).toMatchObject({ finish_reason: 'complete' });
    expect(text).toBe(stack.dify.streams[0].answer);
    expect((await client.waitForClose()).code).toBe(1001);
    await closing;
    await stack.dify.close();
  });

  it('stops an answer that outlasts SHUTDOWN_GRACE_MS upstream', async () => {
    const stack = await startStack({ env: { SHUTDOWN_GRACE_MS: '200' }, dify: { chunkDelayMs: 200, chunkChars: 1 } });
    const client = await stack.connect();
    client.send({ type: 'asr_chunk', text: '什么是 RAG？', is_final: true });
    await client.waitFor((m) => m.type === 'answer');
    await stack.app.close();
    expect((await client.waitForClose()).code).toBe(1001);
    const [record] = stack.dify.streams;
    const deadline = Date.now() + 3000;
    while (!stack.dify.stopCalls.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(stack.dify.stopCalls).toEqual([{ taskId: record.taskId, user: record.user }]);
    await stack.dify.close();
  });
});
