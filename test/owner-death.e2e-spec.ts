import { once } from 'node:events';
import { LocalDifyServer } from '../src/local-dify';
import { RedisServer, redisServerInstalled } from './support/redis-server';
import { startServiceProcess } from './support/service-process';
import { startApp, TEST_API_KEY } from './support/stack';
import { waitUntil } from './support/wait-until';
import { WsTestClient } from './support/ws-test-client';

// In CI a missing redis-server is a failure, never a silent skip: .ci/run installs it.
const describeWithRedis = redisServerInstalled() || process.env.CI ? describe : describe.skip;

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
    const owner = await startServiceProcess(env);
    const other = await startApp(env);
    try {
      const onOwner = await WsTestClient.connect(owner.wsUrl);
      onOwner.send({ type: 'asr_chunk', text: '什么是 RAG？', is_final: true, session_id: 'orphan' });
      const answerId = String((await onOwner.waitFor((m) => m.type === 'status' && m.stage === 'querying_rag')).answer_id);
      const mine = () => onOwner.received.filter((m) => m.type === 'answer' && m.answer_id === answerId);
      await onOwner.waitFor(() => mine().length >= 3);
      const exited = once(owner.process, 'exit');
      owner.process.kill('SIGKILL');
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
      if (owner.process.exitCode === null) owner.process.kill('SIGKILL');
      await other.close();
    }
  }, 60_000);
});
