import WebSocket from 'ws';
import { assertInbound, assertOutbound } from './protocol-contract';

export type Message = Record<string, unknown> & { type: string };

/** Server messages that docs/asyncapi.yaml does not describe; contract-check.ts fails the test on any. */
export const contractViolations: string[] = [];

/** How long a wait gives the server by default: room for a busy CI machine; a hang still fails. */
const WAIT_MS = 15_000;

/**
 * A real `ws` client for the end-to-end suites: records every message the server sends and lets a
 * test wait for the one it expects. Every message either way is checked against the protocol
 * contract (docs/asyncapi.yaml); `sendUnchecked` is for tests of what the server does with bad ones.
 */
export class WsTestClient {
  /** Clients that opened and have not closed yet, by when they opened (close-leftovers.ts ends the leftovers). */
  private static readonly open = new Map<WsTestClient, number>();
  private static opened = 0;

  readonly received: Message[] = [];
  closed?: { code: number; reason: string };
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      const message = JSON.parse(isBinary ? '{"type":"<binary>"}' : (data as Buffer).toString()) as Message;
      try {
        assertOutbound(message);
      } catch (error) {
        contractViolations.push((error as Error).message);
      }
      this.received.push(message);
      this.wake();
    });
    socket.once('open', () => WsTestClient.open.set(this, ++WsTestClient.opened));
    socket.on('close', (code, reason) => {
      WsTestClient.open.delete(this);
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  /** How many clients have opened so far: a mark for `terminateOpenSince`. */
  static get openedSoFar(): number {
    return WsTestClient.opened;
  }

  /**
   * Cuts every client that opened after `mark` and is still open, and waits until each has closed,
   * so that a test's sockets never count against the next test's limits (even when it failed).
   */
  static async terminateOpenSince(mark = 0): Promise<void> {
    const left = [...WsTestClient.open].filter(([, order]) => order > mark).map(([client]) => client);
    await Promise.all(
      left.map((client) => {
        client.socket.terminate();
        return client.waitForClose();
      }),
    );
  }

  static connect(url: string, options: WebSocket.ClientOptions = {}): Promise<WsTestClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, options);
      const client = new WsTestClient(socket);
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
    });
  }

  /** Sends a message the contract describes (throws on one it does not). */
  send(message: object): void {
    assertInbound(message);
    this.socket.send(JSON.stringify(message));
  }

  /** Sends a JSON message whatever it is: for testing how the server answers invalid ones. */
  sendUnchecked(message: object): void {
    this.socket.send(JSON.stringify(message));
  }

  sendRaw(data: string | Buffer): void {
    this.socket.send(data);
  }

  /** Resolves with the first message at or after `from` that matches, waiting up to `timeoutMs`. */
  async waitFor(match: (m: Message) => boolean, { from = 0, timeoutMs = WAIT_MS } = {}): Promise<Message> {
    const found = await this.until(() => this.received.slice(from).find(match), timeoutMs, 'a matching message');
    return found;
  }

  /** Waits until the server has sent `count` messages in all. */
  async waitForCount(count: number, timeoutMs = WAIT_MS): Promise<Message[]> {
    await this.until(() => (this.received.length >= count ? true : undefined), timeoutMs, `${count} messages`);
    return this.received;
  }

  /** Waits for the end of the current answer: the answer chunk with final:true. */
  async answer(from = 0, timeoutMs = WAIT_MS): Promise<{ text: string; chunks: Message[] }> {
    const end = await this.waitFor((m) => m.type === 'answer' && m.final === true, { from, timeoutMs });
    const chunks = this.received.slice(from, this.received.indexOf(end) + 1).filter((m) => m.type === 'answer');
    const text = chunks.reduce((acc, c) => (c.replace ? String(c.content) : acc + String(c.content)), '');
    return { text, chunks };
  }

  async waitForClose(timeoutMs = WAIT_MS): Promise<{ code: number; reason: string }> {
    return this.until(() => this.closed, timeoutMs, 'the socket to close');
  }

  close(): void {
    this.socket.close();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((wake) => wake());
  }

  private async until<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`Timed out waiting for ${what}; received: ${JSON.stringify(this.received, null, 1)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
