import { WebSocket } from 'ws';
import { OutboundMessage, ProtocolError } from '../protocol';
import { Outbox } from './outbox';

/** A socket double whose buffered amount the test sets, recording what was sent. */
function fakeSocket() {
  const sent: OutboundMessage[] = [];
  const socket = {
    readyState: WebSocket.OPEN as number,
    bufferedAmount: 0,
    closedWith: undefined as number | undefined,
    send: (text: string) => sent.push(JSON.parse(text) as OutboundMessage),
    closeReason: undefined as string | undefined,
    close(code: number, reason: string) {
      this.closedWith = code;
      this.closeReason = reason;
      this.readyState = WebSocket.CLOSING;
    },
  };
  return { socket, sent, ws: socket as unknown as WebSocket };
}

const chunk = (i: number, content: string, final = false): OutboundMessage => ({ type: 'answer', stream_index: i, content, final, session_id: 's' });

describe('Outbox', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('sends at once while the socket keeps up', () => {
    const { ws, sent } = fakeSocket();
    const outbox = new Outbox(ws, { highWaterBytes: 100, hardLimitBytes: 1000 });
    outbox.send(chunk(0, 'a'));
    outbox.send(chunk(1, 'b', true));
    expect(sent.map((m) => (m as { content: string }).content)).toEqual(['a', 'b']);
  });

  it('merges a slow reader’s waiting chunks losslessly, keeping stream_index 0,1,2… and final last', () => {
    const { socket, ws, sent } = fakeSocket();
    const outbox = new Outbox(ws, { highWaterBytes: 100, hardLimitBytes: 100_000 });
    outbox.send(chunk(0, 'He'));
    socket.bufferedAmount = 500;
    outbox.send(chunk(1, 'llo'));
    outbox.send(chunk(2, ', '));
    outbox.send({ type: 'status', stage: 'idle', session_id: 's' });
    outbox.send(chunk(3, 'wor'));
    outbox.send(chunk(4, 'ld'));
    outbox.send(chunk(5, '', true));
    outbox.send(chunk(0, 'next answer'));
    jest.advanceTimersByTime(50);
    expect(sent).toHaveLength(1);
    socket.bufferedAmount = 0;
    jest.advanceTimersByTime(10);
    const answers = sent.filter((m) => m.type === 'answer') as Array<{ stream_index: number; content: string; final: boolean }>;
    expect(answers.map((a) => [a.stream_index, a.content, a.final])).toEqual([
      [0, 'He', false],
      [1, 'llo, ', false],
      [2, 'world', false],
      [3, '', true],
      [0, 'next answer', false],
    ]);
    expect(sent.map((m) => m.type)).toEqual(['answer', 'answer', 'status', 'answer', 'answer', 'answer']);
  });

  it('closes a client that falls too far behind with 1013', () => {
    const { socket, ws } = fakeSocket();
    const overflow = jest.fn();
    const outbox = new Outbox(ws, { highWaterBytes: 100, hardLimitBytes: 1100 }, overflow);
    socket.bufferedAmount = 900; // plus about 100 bytes for the first message: still under the limit
    outbox.send(chunk(0, 'x'.repeat(50)));
    expect(socket.closedWith).toBeUndefined();
    outbox.send(chunk(1, 'x'.repeat(100)));
    expect(socket.closedWith).toBe(1013);
    expect(overflow).toHaveBeenCalledTimes(1);
  });

  it('closes with 1000 at the end of the conversation, after the messages still waiting', () => {
    const { socket, ws, sent } = fakeSocket();
    const outbox = new Outbox(ws, { highWaterBytes: 100, hardLimitBytes: 100_000 });
    socket.bufferedAmount = 500;
    outbox.send(chunk(0, 'last words', true));
    outbox.end();
    expect(socket.closedWith).toBeUndefined();
    socket.bufferedAmount = 0;
    jest.advanceTimersByTime(10);
    expect(sent).toHaveLength(1);
    expect(socket.closedWith).toBe(1000);
  });

  it('closes with the close code of the error that ended the conversation, after what still waits', () => {
    const { socket, ws, sent } = fakeSocket();
    const outbox = new Outbox(ws, { highWaterBytes: 100, hardLimitBytes: 100_000 });
    socket.bufferedAmount = 500;
    const goingAway = new ProtocolError('SHUTTING_DOWN', 'Shutting down: reconnect.', { retryable: true }, 1001);
    outbox.send(chunk(0, '', true));
    outbox.send(goingAway.toMessage('s'));
    outbox.end(goingAway);
    expect(socket.closedWith).toBeUndefined();
    socket.bufferedAmount = 0;
    jest.advanceTimersByTime(10);
    expect(sent.map((m) => m.type)).toEqual(['answer', 'error']);
    expect(socket).toMatchObject({ closedWith: 1001, closeReason: 'Shutting down: reconnect.' });
  });

  it('closes at once at the end when nothing waits', () => {
    const { socket, ws } = fakeSocket();
    new Outbox(ws, { highWaterBytes: 100, hardLimitBytes: 100_000 }).end();
    expect(socket.closedWith).toBe(1000);
  });
});
