import type { TaskView } from '../src/batch';
import { LocalDifyServer } from '../src/local-dify';
import { RedisCluster, redisCli } from './support/redis-cluster';
import { redisServerInstalled } from './support/redis-server';
import { startServiceProcess } from './support/service-process';
import { startApp, TEST_API_KEY } from './support/stack';
import { waitUntil } from './support/wait-until';
import { Message, WsTestClient } from './support/ws-test-client';

// In CI a missing redis-server is a failure, never a silent skip: .ci/run installs it.
const describeWithRedis = redisServerInstalled() || process.env.CI ? describe : describe.skip;

const ask = (text: string, session_id: string) => ({ type: 'asr_chunk', text, is_final: true, session_id });
const answerText = (client: WsTestClient, answerId: unknown) =>
  client.received
    .filter((m) => m.type === 'answer' && m.answer_id === answerId)
    .map((m) => String(m.content))
    .join('');

/** The end of the answer a question started: its final chunk, or an error (which must say it can be retried). */
async function outcome(client: WsTestClient, from: number): Promise<Message> {
  return client.waitFor((m) => (m.type === 'answer' && m.final === true) || m.type === 'error', { from, timeoutMs: 30_000 });
}

describeWithRedis('on a Redis Cluster of three masters, each with a replica (e2e)', () => {
  let cluster: RedisCluster;
  let dify: LocalDifyServer;
  let difyUrl: string;
  beforeAll(async () => {
    cluster = await RedisCluster.start(3, 1);
    // About 2 s per answer: long enough to fail the masters over mid-answer.
    dify = new LocalDifyServer({ apiKeys: [TEST_API_KEY], chunkDelayMs: 40, chunkChars: 2, firstChunkDelayMs: 0 });
    difyUrl = (await dify.listen()).baseUrl;
  }, 60_000);
  afterAll(async () => {
    await dify.close();
    await cluster.stop();
  });

  const env = () => ({ DIFY_API_KEY: TEST_API_KEY, DIFY_BASE_URL: difyUrl, REDIS_CLUSTER_NODES: cluster.seeds, RESUME_GRACE_SECONDS: '1' });
  const instance = () => startApp(env());
  const ready = async (httpUrl: string) => (await fetch(`${httpUrl}/health/ready`)).status === 200;

  it('answers and continues a conversation on the other instance; the sessions spread over the masters', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    try {
      expect(await ready(a.httpUrl)).toBe(true);
      for (let i = 0; i < 4; i++) {
        const [onA, onB] = await Promise.all([a.connect(), b.connect()]);
        onA.send(ask('什么是 RAG？', `spread-${i}`));
        await onA.answer();
        onA.close();
        onB.send(ask('它有什么优点？', `spread-${i}`));
        const { text } = await onB.answer();
        onB.close();
        const [first, followUp] = dify.streams.filter((s) => s.user.endsWith(`:spread-${i}`));
        expect(followUp.conversationId).toBe(first.conversationId);
        expect(text).toBe(followUp.answer);
      }
      const holding = await Promise.all((await cluster.masters()).map(async (port) => Number(await redisCli(port, 'dbsize'))));
      expect(holding.filter((keys) => keys > 0).length).toBeGreaterThan(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 60_000);

  it('resumes mid-answer on the other instance, and makes one Dify call per session at a time across both', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    try {
      const onA = await a.connect();
      onA.send(ask('什么是 RAG？', 'cluster-resume'));
      const answerId = (await onA.waitFor((m) => m.type === 'status' && m.stage === 'querying_rag')).answer_id;
      await onA.waitFor(() => onA.received.filter((m) => m.type === 'answer').length >= 3);
      onA.socket.terminate();
      const had = onA.received.filter((m) => m.type === 'answer');
      const offset = Array.from(had.map((m) => String(m.content)).join('')).length;
      const onB = await b.connect();
      onB.send({ type: 'resume', session_id: 'cluster-resume', answer_id: answerId, offset, stream_index: had.length });
      const { chunks } = await onB.answer(0, 15_000);
      expect(had.map((m) => String(m.content)).join('') + chunks.map((c) => String(c.content)).join('')).toBe(dify.streams.at(-1)!.answer);

      // Single flight: a question on A while B's question of the same session streams interrupts B's first.
      onB.send(ask('What is Dify?', 'cluster-flight'));
      await onB.waitFor((m) => m.type === 'answer' && m.session_id === 'cluster-flight');
      const onA2 = await a.connect();
      onA2.send(ask('它有什么优点？', 'cluster-flight'));
      const interrupted = await onB.waitFor((m) => m.type === 'answer' && m.final === true && m.session_id === 'cluster-flight', {
        timeoutMs: 10_000,
      });
      expect(interrupted).toMatchObject({ finish_reason: 'interrupted' });
      await onA2.answer(0, 15_000);
      const [first, second] = dify.streams.filter((s) => s.user.endsWith(':cluster-flight'));
      expect(first.outcome).not.toBe('completed');
      expect(second.conversationId).toBe(first.conversationId);
      onB.close();
      onA2.close();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 60_000);

  it('follows a failover of every master mid-answer: no hang, no acknowledged answer lost, ready again by itself', async () => {
    const [a, b] = await Promise.all([instance(), instance()]);
    try {
      const clients = await Promise.all(Array.from({ length: 6 }, () => a.connect()));
      clients.forEach((client, i) => client.send(ask('什么是 RAG？', `failover-${i}`)));
      await Promise.all(clients.map((client) => client.waitFor((m) => m.type === 'answer')));
      await Promise.all((await cluster.masters()).map((port) => cluster.failover(port)));

      const ends = await Promise.all(clients.map((client) => outcome(client, 0)));
      for (const end of ends) if (end.type === 'error') expect(end).toMatchObject({ retryable: true });
      await waitUntil(async () => (await ready(a.httpUrl)) && (await ready(b.httpUrl)), 20_000);

      // Every answer that ended complete is in the log, in full, for a resume on the other instance.
      const onB = await b.connect();
      for (const [i, end] of ends.entries()) {
        if (end.type !== 'answer' || end.finish_reason !== 'complete') continue;
        const from = onB.received.length;
        onB.send({ type: 'resume', session_id: `failover-${i}`, answer_id: end.answer_id, offset: 0, stream_index: 0 });
        const { text } = await onB.answer(from, 15_000);
        expect(text).toBe(answerText(clients[i], end.answer_id));
      }
      // And questions are answered again, on both instances, continuing their conversations.
      onB.send(ask('它有什么优点？', 'failover-0'));
      expect((await onB.answer(onB.received.length, 15_000)).text.length).toBeGreaterThan(0);
      for (const client of [...clients, onB]) client.close();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 90_000);

  it('shows a session’s answer asked on A at once to its connection on B, over its own sharded channel, and again after a failover', async () => {
    /** How many connections subscribe the session's sharded channel, on whichever master holds its slot. */
    const subscribers = async (session: string) => {
      let count = 0;
      for (const port of await cluster.masters()) {
        const channels = (await redisCli(port, 'pubsub', 'shardchannels', '*:answers-of:*')).split('\n');
        const channel = channels.find((name) => name.endsWith(`%00${session}}`));
        if (channel) count += Number((await redisCli(port, 'pubsub', 'shardnumsub', channel)).split('\n')[1]);
      }
      return count;
    };
    const watches = async (agent: WsTestClient, supervisor: WsTestClient, session: string) => {
      const from = { agent: agent.received.length, supervisor: supervisor.received.length };
      agent.send(ask('什么是 RAG？', session));
      const [asked, watched] = await Promise.all([agent.answer(from.agent, 15_000), supervisor.answer(from.supervisor, 15_000)]);
      expect(watched.text).toBe(asked.text);
    };
    const [a, b] = await Promise.all([instance(), instance()]);
    try {
      const [agent, supervisor] = await Promise.all([a.connect(), b.connect()]);
      for (let i = 0; i < 3; i++) {
        const from = supervisor.received.length;
        supervisor.send({ type: 'keepalive', session_id: `watched-${i}` });
        await supervisor.waitFor((m) => m.type === 'ack' && m.received_type === 'keepalive', { from });
        // Only B has a room for the session so far: A's subscriber is not on its channel.
        expect(await subscribers(`watched-${i}`)).toBe(1);
        await watches(agent, supervisor, `watched-${i}`);
      }
      await Promise.all((await cluster.masters()).map((port) => cluster.failover(port)));
      await waitUntil(async () => (await ready(a.httpUrl)) && (await ready(b.httpUrl)), 20_000);
      // Both instances subscribe the session they have rooms for again, on its new master.
      await waitUntil(async () => (await subscribers('watched-2')) === 2, 20_000);
      expect(await subscribers('watched-0')).toBe(0);
      await watches(agent, supervisor, 'watched-2');
      agent.close();
      supervisor.close();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 90_000);

  it('runs a batch task over two service processes and finishes it when one is killed mid-task', async () => {
    const start = async () => {
      const service = await startServiceProcess({ ...env(), BATCH_CONCURRENCY: '2' });
      return { process: service.process, httpUrl: service.wsUrl.replace(/^ws/, 'http').replace(/\/ws\/.*$/, '') };
    };
    const [a, b] = await Promise.all([start(), start()]);
    const api = async <T>(on: { httpUrl: string }, path: string, body?: unknown): Promise<T> => {
      const response = await fetch(`${on.httpUrl}${path}`, {
        method: body ? 'POST' : 'GET',
        headers: body ? { 'Content-Type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
      expect(response.ok).toBe(true);
      return (await response.json()) as T;
    };
    try {
      const texts = Array.from({ length: 12 }, (_, i) => `What does section ${i + 1} say? (cluster batch)`);
      const { task_id } = await api<{ task_id: string }>(b, '/api/batch/tasks', { name: 'cluster', texts });
      await waitUntil(() => dify.streams.some((s) => s.outcome === 'open' && s.query.endsWith('(cluster batch)')), 20_000);
      a.process.kill('SIGKILL');
      await waitUntil(async () => !['pending', 'running'].includes((await api<TaskView>(b, `/api/batch/tasks/${task_id}`)).status), 60_000);
      expect(await api<TaskView>(b, `/api/batch/tasks/${task_id}`)).toMatchObject({
        status: 'completed',
        progress: { total: 12, completed: 12, failed: 0 },
      });
    } finally {
      for (const on of [a, b]) if (on.process.exitCode === null) on.process.kill('SIGKILL');
    }
  }, 90_000);
});
