import { Stack, startStack } from './support/stack';
import { waitUntil } from './support/wait-until';
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
    let pings = 0;
    live.socket.on('ping', () => pings++);
    const { code } = await dead.waitForClose();
    expect(code).toBe(1006); // terminated, no closing handshake
    // Each ping goes only to a socket that answered the one before: two more rounds found it alive.
    const after = pings;
    await waitUntil(() => pings >= after + 2 || live.closed !== undefined);
    expect(live.closed).toBeUndefined();
    live.send({ type: 'keepalive' });
    await live.waitFor((m) => m.type === 'ack' && m.received_type === 'keepalive');
    live.close();
  });
});
