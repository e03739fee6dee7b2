import { Stack, startStack } from './support/stack';
import { WsTestClient } from './support/ws-test-client';

describe('heartbeat (e2e)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { HEARTBEAT_INTERVAL_MS: '100' } });
  });
  afterAll(() => stack.close());

  it('drops a socket that stops answering pings, and keeps a live one', async () => {
    const dead = await WsTestClient.connect(stack.wsUrl, { autoPong: false });
    const live = await stack.connect();
    const { code } = await dead.waitForClose(2000);
    expect(code).toBe(1006); // terminated, no closing handshake
    await new Promise((r) => setTimeout(r, 300));
    expect(live.closed).toBeUndefined();
    live.send({ type: 'keepalive' });
    await live.waitFor((m) => m.type === 'ack' && m.received_type === 'keepalive');
    live.close();
  });
});
