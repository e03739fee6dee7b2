import { upgradeStatus } from './support/net';
import { Stack, startStack } from './support/stack';
import { WsTestClient } from './support/ws-test-client';

const TOKENS = 'acme:acme-secret-token-1,globex:globex-secret-token-2';

describe('authentication (e2e)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { AUTH_TOKENS: TOKENS } });
  });
  afterAll(() => stack.close());

  it('refuses an upgrade without a valid token with HTTP 401, before any socket opens', async () => {
    expect(await upgradeStatus(stack.wsUrl)).toBe(401);
    expect(await upgradeStatus(stack.wsUrl, { Authorization: 'Bearer wrong-token-000' })).toBe(401);
    expect(await upgradeStatus(`${stack.wsUrl}?token=acme-secret-token`)).toBe(401);
  });

  it('accepts a Bearer header or a ?token= parameter', async () => {
    expect(await upgradeStatus(stack.wsUrl, { Authorization: 'Bearer acme-secret-token-1' })).toBe(101);
    expect(await upgradeStatus(`${stack.wsUrl}?token=globex-secret-token-2`)).toBe(101);
  });

  it("never lets one principal continue another's session, even with the same session_id", async () => {
    const acme = await WsTestClient.connect(stack.wsUrl, { headers: { Authorization: 'Bearer acme-secret-token-1' } });
    acme.send({ type: 'asr_chunk', text: '什么是 RAG？', is_final: true, session_id: 'shared-id' });
    await acme.answer();
    const globex = await WsTestClient.connect(`${stack.wsUrl}?token=globex-secret-token-2`);
    globex.send({ type: 'asr_chunk', text: '它有什么优点？', is_final: true, session_id: 'shared-id' });
    await globex.answer();
    const [first, second] = stack.dify.requests
      .filter((r) => r.path === '/v1/chat-messages')
      .map((r) => r.body as { user: string; conversation_id?: string });
    expect(first.user).not.toBe(second.user);
    expect(second.conversation_id).toBeUndefined();
    acme.close();
    globex.close();
  });

  it('keeps tokens out of the logs', () => {
    const logs = stack.logs.lines.join('\n');
    expect(logs).toMatch(/must present one of 2 AUTH_TOKENS/);
    expect(logs).not.toMatch(/secret-token/);
  });
});

describe('without AUTH_TOKENS (e2e)', () => {
  it('runs open and says so at start-up', async () => {
    const stack = await startStack();
    expect(stack.logs.lines.join('\n')).toMatch(/AUTH_TOKENS is not set: the WebSocket endpoint is OPEN/);
    const client = await stack.connect();
    await client.waitForCount(1);
    client.close();
    await stack.close();
  });
});
