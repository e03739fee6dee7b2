import { ShutdownState } from '../src/lifecycle';
import { upgradeStatus } from './support/net';
import { sample } from './support/prometheus';
import { startStack } from './support/stack';
import { waitUntil } from './support/wait-until';
import { WsTestClient } from './support/ws-test-client';

const TOKEN = 'acme-refusals-token-1';
const WRONG = 'wrong-refusals-secret-9';

describe('refused upgrades (e2e)', () => {
  it('leave one warn line each (reason, address, path; no query) and count by reason in /metrics', async () => {
    const stack = await startStack({
      env: { AUTH_TOKENS: `acme:${TOKEN}`, MAX_CONNECTIONS_PER_IP: '1', SHUTDOWN_GRACE_MS: '5000' },
      dify: { chunkDelayMs: 50 },
    });
    const withToken = (token: string) => `${stack.wsUrl}?to%6Ben=${token}&features=usage`;
    expect(await upgradeStatus(withToken(WRONG))).toBe(401);
    expect(await upgradeStatus(`${stack.wsUrl}?TOKEN=${WRONG}`)).toBe(401);
    expect(await upgradeStatus(withToken(TOKEN), { Origin: 'https://evil.example' })).toBe(403);
    const client = await WsTestClient.connect(withToken(TOKEN));
    expect(await upgradeStatus(withToken(TOKEN))).toBe(429);
    // An answer in flight keeps the instance draining, and serving HTTP, during the grace period.
    client.send({ type: 'asr_chunk', text: '什么是 RAG？', is_final: true });
    await client.waitFor((m) => m.type === 'answer');
    const closing = stack.app.close();
    await waitUntil(() => stack.app.get(ShutdownState).draining);
    expect(await upgradeStatus(withToken(TOKEN))).toBe(503);

    const metrics = await (await fetch(`${stack.httpUrl}/metrics`)).text();
    expect(sample(metrics, 'realtime_rag_upgrades_refused_total{reason="unauthorized"}')).toBe(2);
    expect(sample(metrics, 'realtime_rag_upgrades_refused_total{reason="origin"}')).toBe(1);
    expect(sample(metrics, 'realtime_rag_upgrades_refused_total{reason="too_many_connections"}')).toBe(1);
    expect(sample(metrics, 'realtime_rag_upgrades_refused_total{reason="shutting_down"}')).toBe(1);

    const refusals = stack.logs.lines.filter((line) => line.includes('Upgrade refused'));
    const path = new URL(stack.wsUrl).pathname;
    expect(refusals).toEqual([
      `warn Upgrade refused: unauthorized (unknown token) (HTTP 401) from 127.0.0.1 to ${path} RealtimeWsAdapter`,
      `warn Upgrade refused: unauthorized (unknown token) (HTTP 401) from 127.0.0.1 to ${path} RealtimeWsAdapter`,
      `warn Upgrade refused: origin (HTTP 403) from 127.0.0.1 to ${path} RealtimeWsAdapter`,
      `warn Upgrade refused: too_many_connections (HTTP 429) from 127.0.0.1 to ${path} RealtimeWsAdapter`,
      `warn Upgrade refused: shutting_down (HTTP 503) from 127.0.0.1 to ${path} RealtimeWsAdapter`,
    ]);
    const everything = stack.logs.lines.join('\n');
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(WRONG);

    await client.answer();
    await closing;
    await stack.dify.close();
  });
});
