import { WebSocket } from 'ws';
import type { ConversationMessage } from '../conversation';
import { OutboundMessage, ProtocolError } from '../protocol';
import { Outbox } from './outbox';

/** A socket double whose buffered amount the test sets, recording what was sent. */
function fakeSocket() {
  const sent: OutboundMessage[] = [];
  const socket = {
    readyState: WebSocket.OPEN as number,
    bufferedAmount: 0,
    closedWith: undefined as number | undefined,
    paused: false,
    send: (text: string) => sent.push(JSON.parse(text) as OutboundMessage),
    closeReason: undefined as string | undefined,
    close(code: number, reason: string) {
      this.closedWith = code;
      this.closeReason = reason;
      this.readyState = WebSocket.CLOSING;
    },
    pause() {
      this.paused = true;
    },
    terminate: () => undefined,
  };
  return { socket, sent, ws: socket as unknown as WebSocket };
}

/** A chunk as a conversation hands it over: the Outbox numbers it. */
const chunk = (content: string, final = false, answerId = 'a'): ConversationMessage => ({
  type: 'answer',
  content,
  final,
  answer_id: answerId,
  session_id: 's',
});

describe('Outbox', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('sends at once while the socket keeps up', () => {
    const { ws, sent } = fakeSocket();
    const outbox = new Outbox(ws, { highWaterBytes: 100, hardLimitBytes: 1000, chunkMaxChars: 1000 });
    outbox.send(chunk('a'));
    outbox.send(chunk('b', true));
    expect(sent.map((m) => (m as { content: string }).content)).toEqual(['a', 'b']);
  });

  it('holds every message, acks and errors too, until the promise it was given settles, then sends them in order', async () => {
    const { ws, sent } = fakeSocket();
    const outbox = new Outbox(ws, { highWaterBytes: 100, hardLimitBytes: 1000, chunkMaxChars: 1000 });
    let subscribed!: () => void;
    outbox.holdUntil(new Promise<void>((resolve) => (subscribed = resolve)));
    outbox.send({ type: 'ack', received_type: 'keepalive', session_id: 's' });
    outbox.send(chunk('a'));
    outbox.send({ type: 'error', code: 'INVALID_JSON', message: 'bad', session_id: 's' });
    outbox.end();
    expect(sent).toEqual([]);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    subscribed();
    await jest.advanceTimersByTimeAsync(0);
    expect(sent.map((m) => m.type)).toEqual(['ack', 'answer', 'error']);
    expect(ws.readyState).toBe(WebSocket.CLOSING);
    outbox.send(chunk('b'));
    expect(sent).toHaveLength(3);
  });

  it('continues a resumed answer at the stream_index its client expects, and numbers other answers from 0', () => {
    const { ws, sent } = fakeSocket();
    const outbox = new Outbox(ws, { highWaterBytes: 100, hardLimitBytes: 1000, chunkMaxChars: 1000 });
    outbox.continueAt('a', 7);
    outbox.send(chunk('other', false, 'b'));
    outbox.send(chunk('', true, 'b'));
    outbox.send(chunk('rest'));
    outbox.send(chunk('', true));
    outbox.send(chunk('next'));
    expect(sent.map((m) => (m.type === 'answer' ? [m.answer_id, m.stream_index] : []))).toEqual([
      ['b', 0],
      ['b', 1],
      ['a', 7],
      ['a', 8],
      ['a', 0],
    ]);
  });

  it('merges a slow reader’s waiting chunks losslessly, keeping stream_index 0,1,2… and final last', () => {
    const { socket, ws, sent } = fakeSocket();
    const outbox = new Outbox(ws, { highWaterBytes: 100, hardLimitBytes: 100_000, chunkMaxChars: 1000 });
    outbox.send(chunk('He'));
    socket.bufferedAmount = 500;
    outbox.send(chunk('llo'));
    outbox.send(chunk(', '));
    outbox.send({ type: 'status', stage: 'idle', session_id: 's' });
    outbox.send(chunk('wor'));
    outbox.send(chunk('ld'));
    outbox.send(chunk('', true));
    outbox.send(chunk('next answer'));
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

  it('never merges a replacing chunk into the text it replaces, and appends what follows to it', () => {
    const { socket, ws, sent } = fakeSocket();
    const outbox = new Outbox(ws, { highWaterBytes: 100, hardLimitBytes: 100_000, chunkMaxChars: 1000 });
    socket.bufferedAmount = 500;
    outbox.send(chunk('bad '));
    outbox.send(chunk('words'));
    outbox.send({ type: 'answer', content: 'Sorry', final: false, replace: true, answer_id: 'a', session_id: 's' });
    outbox.send(chunk(', no.'));
    outbox.send(chunk('', true));
    socket.bufferedAmount = 0;
    jest.advanceTimersByTime(10);
    const answers = sent as Array<{ stream_index: number; content: string; replace?: true; final: boolean }>;
    expect(answers.map((a) => [a.stream_index, a.content, a.replace ?? false, a.final])).toEqual([
      [0, 'bad words', false, false],
      [1, 'Sorry, no.', true, false],
      [2, '', false, true],
    ]);
  });

  it('closes a client that falls past the hard limit beyond its largest message with 1013, and stops reading it', () => {
    const { socket, ws } = fakeSocket();
    const overflow = jest.fn();
    const outbox = new Outbox(ws, { highWaterBytes: 100, hardLimitBytes: 1000, chunkMaxChars: 1000 }, overflow);
    socket.bufferedAmount = 900;
    outbox.send(chunk('x'.repeat(100))); // 900 + 100 waiting: within 1000 + the largest (100)
    outbox.send(chunk('x'.repeat(100))); // 900 + 200: still within
    expect(socket.closedWith).toBeUndefined();
    outbox.send(chunk('x'.repeat(101))); // 900 + 301 > 1000 + 101
    expect(socket.closedWith).toBe(1013);
    expect(socket.paused).toBe(true);
    expect(overflow).toHaveBeenCalledTimes(1);
  });

  it('sends a piece longer than chunkMaxChars as several chunks, numbered on, never splitting a surrogate pair', () => {
    const { ws, sent } = fakeSocket();
    const outbox = new Outbox(ws, { highWaterBytes: 100_000, hardLimitBytes: 1000, chunkMaxChars: 4 });
    outbox.send(chunk('ab'));
    outbox.send({ type: 'answer', content: 'abc😀defghij', final: false, replace: true, answer_id: 'a', session_id: 's' });
    outbox.send(chunk('', true));
    const answers = sent as Array<{ stream_index: number; content: string; replace?: true; final: boolean }>;
    expect(answers.map((a) => [a.stream_index, a.content, a.replace ?? false, a.final])).toEqual([
      [0, 'ab', false, false],
      [1, 'abc', true, false],
      [2, '😀de', false, false],
      [3, 'fghi', false, false],
      [4, 'j', false, false],
      [5, '', false, true],
    ]);
  });

  it('lets a fast reader take one message far bigger than the hard limit: it measures the reader, not the event', () => {
    const { socket, ws, sent } = fakeSocket();
    const outbox = new Outbox(ws, { highWaterBytes: 100, hardLimitBytes: 1000, chunkMaxChars: 100 });
    const big = 'y'.repeat(50_000);
    outbox.send(chunk(big));
    socket.bufferedAmount = 150; // the socket took one chunk and is over the high-water mark
    outbox.send(chunk('', true));
    expect(socket.closedWith).toBeUndefined();
    for (let i = 0; i < 600 && sent.length < 502; i++) {
      socket.bufferedAmount = 0;
      jest.advanceTimersByTime(10);
    }
    const answers = sent as Array<{ content: string; final: boolean }>;
    expect(answers.map((a) => a.content).join('')).toBe(big);
    expect(Math.max(...answers.map((a) => a.content.length))).toBe(100);
    expect(answers.at(-1)!.final).toBe(true);
    outbox.send(chunk('z'.repeat(100)));
    socket.bufferedAmount = 150;
    outbox.send(chunk('z'.repeat(600)));
    outbox.send(chunk('z'.repeat(600)));
    expect(socket.closedWith).toBeUndefined();
    outbox.send(chunk('z'.repeat(600))); // 150 + 1800 > 1000 + 600: the big message's allowance ended when the reader caught up
    expect(socket.closedWith).toBe(1013);
  });

  it('closes with 1000 at the end of the conversation, after the messages still waiting', () => {
    const { socket, ws, sent } = fakeSocket();
    const outbox = new Outbox(ws, { highWaterBytes: 100, hardLimitBytes: 100_000, chunkMaxChars: 1000 });
    socket.bufferedAmount = 500;
    outbox.send(chunk('last words', true));
    outbox.end();
    expect(socket.closedWith).toBeUndefined();
    socket.bufferedAmount = 0;
    jest.advanceTimersByTime(10);
    expect(sent).toHaveLength(1);
    expect(socket.closedWith).toBe(1000);
  });

  it('closes with the close code of the error that ended the conversation, after what still waits', () => {
    const { socket, ws, sent } = fakeSocket();
    const outbox = new Outbox(ws, { highWaterBytes: 100, hardLimitBytes: 100_000, chunkMaxChars: 1000 });
    socket.bufferedAmount = 500;
    const goingAway = new ProtocolError('SHUTTING_DOWN', 'Shutting down: reconnect.', { retryable: true }, 1001);
    outbox.send(chunk('', true));
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
    new Outbox(ws, { highWaterBytes: 100, hardLimitBytes: 100_000, chunkMaxChars: 1000 }).end();
    expect(socket.closedWith).toBe(1000);
  });
});
