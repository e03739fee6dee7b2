import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { LocalDifyServer } from '../src/local-dify';
import { freePort } from './support/net';
import { RedisServer, redisServerInstalled } from './support/redis-server';
import { startApp, TEST_API_KEY } from './support/stack';
import { waitUntil } from './support/wait-until';
import { WsTestClient } from './support/ws-test-client';

// In CI a missing redis-server is a failure, never a silent skip: .ci/run installs it.
const describeWithRedis = redisServerInstalled() || process.env.CI ? describe : describe.skip;

/** The service in a process of its own, to be killed as an OOM or a node failure would. */
async function serviceProcess(env: Record<string, string>): Promise<{ child: ChildProcess; wsUrl: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-r', 'ts-node/register', join(__dirname, '..', 'src', 'main.ts')], {
    cwd: join(__dirname, '..'),
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 30_000;
  while (
    !(await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('the service process did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, wsUrl: `ws://127.0.0.1:${port}/ws/realtime-asr` };
}

describeWithRedis('an answer whose instance died (e2e)', () => {
  let redis: RedisServer;
  let dify: LocalDifyServer;
  let difyUrl: string;
  beforeAll(async () => {
    redis = await RedisServer.start();
    // About 3 s of answer: the owner dies early in it, Dify generates the rest on its own.
    dify = new LocalDifyServer({ apiKeys: [TEST_API_KEY], chunkDelayMs: 60, chunkChars: 2, firstChunkDelayMs: 0 });
    difyUrl = (await dify.listen()).baseUrl;
  });
  afterAll(async () => {
    await dify.close();
    await redis.stop();
  });

  it('is resumed whole on another instance after its owner was SIGKILLed: the log, then Dify’s saved answer', async () => {
    const env = { DIFY_API_KEY: TEST_API_KEY, DIFY_BASE_URL: difyUrl, REDIS_URL: redis.url, RESUME_GRACE_SECONDS: '30' };
    const owner = await serviceProcess(env);
    const other = await startApp(env);
    try {
      const onOwner = await WsTestClient.connect(owner.wsUrl);
      onOwner.send({ type: 'asr_chunk', text: '什么是 RAG？', is_final: true, session_id: 'orphan' });
      const answerId = String((await onOwner.waitFor((m) => m.type === 'status' && m.stage === 'querying_rag')).answer_id);
      const mine = () => onOwner.received.filter((m) => m.type === 'answer' && m.answer_id === answerId);
      await onOwner.waitFor(() => mine().length >= 3);
      const exited = once(owner.child, 'exit');
      owner.child.kill('SIGKILL');
      await exited;
      const had = mine()
        .map((c) => String(c.content))
        .join('');

      const onOther = await other.connect();
      onOther.send({
        type: 'resume',
        session_id: 'orphan',
        answer_id: answerId,
        offset: Array.from(had).length,
        stream_index: mine().length,
      });
      const { chunks } = await onOther.answer(0, 30_000);
      const record = dify.streams.at(-1)!;
      await waitUntil(() => record.generation === 'completed', 10_000);
      expect(had + chunks.map((c) => String(c.content)).join('')).toBe(record.answer);
      expect(chunks.at(-1)).toMatchObject({ final: true, finish_reason: 'complete', answer_id: answerId });
      onOther.close();
    } finally {
      if (owner.child.exitCode === null) owner.child.kill('SIGKILL');
      await other.close();
    }
  }, 60_000);
});
