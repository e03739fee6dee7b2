import { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { LocalDifyServer } from '../src/local-dify';
import { freePort, upgradeStatus } from './support/net';
import { ServiceOutput, spawnService } from './support/service-process';
import { waitUntil } from './support/wait-until';
import { WsTestClient } from './support/ws-test-client';

const API_KEY = 'app-ProcessSecretKey0123456789';
const TOKEN = 'tok-ProcessSecretToken-42';

async function waitForHttp(url: string, deadline = Date.now() + 30_000): Promise<void> {
  while (Date.now() < deadline) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered`);
}

/**
 * The service as it runs in production: its own process, started by main.ts, with pino's JSON logs
 * on stdout and SIGTERM to stop it.
 */
describe('the service process (e2e)', () => {
  let dify: LocalDifyServer;
  let service: ChildProcess;
  const out: ServiceOutput = { text: '' };
  let port: number;

  beforeAll(async () => {
    dify = new LocalDifyServer({ apiKeys: [API_KEY], chunkDelayMs: 1, firstChunkDelayMs: 0 });
    const { baseUrl } = await dify.listen();
    port = await freePort();
    service = spawnService(
      port,
      {
        DIFY_API_KEY: API_KEY,
        DIFY_BASE_URL: baseUrl,
        AUTH_TOKENS: `acme:${TOKEN}`,
        NODE_ENV: 'production',
        LOG_LEVEL: 'log',
        SHUTDOWN_GRACE_MS: '300',
      },
      out,
    );
    await waitForHttp(`http://127.0.0.1:${port}/health`);
  }, 40_000);

  afterAll(async () => {
    if (service.exitCode === null) service.kill('SIGKILL');
    await dify.close();
  });

  /** The lines of stdout written in full so far. */
  const logLines = () => out.text.split('\n').slice(0, -1);

  /** The first whole log line containing `text`, parsed, once it is there. */
  const logEntry = async (text: string) => {
    await waitUntil(() => logLines().some((line) => line.includes(text)));
    return JSON.parse(logLines().find((line) => line.includes(text))!) as { level: number; msg?: string; req?: { url: string } };
  };

  it('reads a token under a percent-encoded parameter name, and logs none: requests redacted, refused upgrades by path only', async () => {
    expect(await upgradeStatus(`ws://127.0.0.1:${port}/ws/realtime-asr?to%6Ben=${TOKEN}`)).toBe(101);
    await fetch(`http://127.0.0.1:${port}/metrics?to%6Ben=${TOKEN}&TOKEN=${TOKEN}`, { headers: { 'X-Request-Id': 'encoded-token' } });
    expect((await logEntry('"encoded-token"')).req?.url).toBe('/metrics?to%6Ben=[redacted]&TOKEN=[redacted]');
    expect(await upgradeStatus(`ws://127.0.0.1:${port}/ws/realtime-asr?%74%6f%6b%65%6e=${TOKEN}-wrong`)).toBe(401);
    expect(await logEntry('Upgrade refused')).toMatchObject({
      level: 40,
      msg: 'Upgrade refused: unauthorized (unknown token) (HTTP 401) from 127.0.0.1 to /ws/realtime-asr',
    });
    expect(out.text).not.toContain(TOKEN);
  });

  it('answers, logs structured JSON with request ids and no secret, and exits cleanly on SIGTERM, cutting an answer in flight', async () => {
    const client = await WsTestClient.connect(`ws://127.0.0.1:${port}/ws/realtime-asr?token=${TOKEN}`);
    client.send({ type: 'asr_chunk', text: '什么是 RAG？', is_final: true, session_id: 'process-session' });
    const { text } = await client.answer();
    expect(text).toBe(dify.streams[0].answer);
    await fetch(`http://127.0.0.1:${port}/metrics?token=${TOKEN}`, {
      headers: { Authorization: `Bearer ${TOKEN}`, 'X-Request-Id': 'trace-me-1' },
    });
    // An answer that outlasts SHUTDOWN_GRACE_MS.
    Object.assign(dify.options, { chunkDelayMs: 200, chunkChars: 1 });
    const cut = await WsTestClient.connect(`ws://127.0.0.1:${port}/ws/realtime-asr?token=${TOKEN}`);
    cut.send({ type: 'asr_chunk', text: '什么是 RAG？', is_final: true, session_id: 'cut-session' });
    await cut.waitFor((m) => m.type === 'answer');

    const exited = once(service, 'exit');
    service.kill('SIGTERM');
    expect((await client.waitForClose()).code).toBe(1001);
    // Nest exits once its shutdown hooks have run (so pino writes every buffered line): code 0, not a crash.
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    const { taskId, user } = dify.streams[1];
    expect(dify.stopCalls).toEqual([{ taskId, user }]);
    const { chunks } = await cut.answer();
    const final = chunks.at(-1)!;
    expect(final).toMatchObject({ final: true, finish_reason: 'interrupted' });
    expect(cut.received.slice(cut.received.indexOf(final) + 1)).toEqual([
      expect.objectContaining({ type: 'error', code: 'SHUTTING_DOWN', retryable: true }),
    ]);
    expect((await cut.waitForClose()).code).toBe(1001);

    const lines = out.text.trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    const entries = lines.map((line) => JSON.parse(line) as { msg?: string; req?: { id?: string; url?: string } });
    expect(entries.find((e) => e.req?.id === 'trace-me-1')?.req?.url).toBe('/metrics?token=[redacted]');
    expect(entries.some((e) => e.msg?.includes('session process-session'))).toBe(true);
    expect(entries.some((e) => e.msg?.startsWith('SIGTERM received: shutting down'))).toBe(true);
    for (const session of ['process-session', 'cut-session'])
      expect(entries.some((e) => e.msg === `WebSocket closed: session ${session}`)).toBe(true);
    expect(out.text).not.toContain(API_KEY);
    expect(out.text).not.toContain(TOKEN);
  }, 40_000);
});
