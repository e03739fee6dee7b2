import { WebSocket } from 'ws';
import type { AnswerChunk, ConversationMessage, MessageSink } from '../conversation';
import { OutboundMessage, ProtocolError } from '../protocol';
import { condemn } from './condemn';

export interface OutboxLimits {
  /** Above this many bytes buffered for the socket, messages wait here and answer chunks merge. */
  highWaterBytes: number;
  /** More than this many bytes buffered and waiting, beyond the largest single message, closes with 1013. */
  hardLimitBytes: number;
  /** No answer chunk carries more text than this (UTF-16 units): bigger pieces go as several chunks. */
  chunkMaxChars: number;
}

/** How often a backed-up outbox looks whether the socket has drained. */
const RETRY_MS = 10;

const isPlainChunk = (m: ConversationMessage): m is AnswerChunk => m.type === 'answer' && !m.final;

/**
 * One socket's way out, and the one place that frames answers for the wire: it numbers every
 * answer's chunks 0,1,2… (final last) as they are written, whatever the Conversation handed it.
 *
 * A fast reader gets every message at once. For a slow one, messages wait here while the socket's
 * buffer is over the high-water mark, and consecutive chunks of one answer merge (losslessly), so
 * memory grows with the answer's text, not with the number of chunks. No chunk is longer than
 * `chunkMaxChars`: a huge piece of text from Dify goes out as several, so what the socket holds is
 * the reader's measure, not the event's. A reader is too slow when what is buffered and waiting
 * exceeds the hard limit beyond the largest single message since it last kept up (that message had
 * to be held anyway): then it is closed with 1013 (try again later), which also cancels its answer.
 */
export class Outbox implements MessageSink {
  private readonly waiting: ConversationMessage[] = [];
  private waitingBytes = 0;
  /** The largest message, in bytes, handed over since the socket last kept up. */
  private largestBytes = 0;
  /** The stream_index of the current answer's next chunk. */
  private nextIndex = 0;
  /** A resumed answer, and the stream_index its client expects next (applied at its first chunk). */
  private resumed?: { answerId: string; streamIndex: number };
  private timer?: NodeJS.Timeout;
  /** Until this settles, everything waits here (the session's announcements are being subscribed). */
  private held?: Promise<void>;
  /** The conversation is over: close the socket like this once nothing waits here. */
  private closing?: { code: number; reason: string };

  constructor(
    private readonly socket: WebSocket,
    private readonly limits: OutboxLimits,
    /** Called when the client falls past the hard limit, at once: its closing handshake may never finish. */
    private readonly onOverflow: () => void = () => undefined,
    /** Called with the code of every error message sent (the errors metric). */
    private readonly onError: (code: string) => void = () => undefined,
  ) {}

  send(message: ConversationMessage): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    if (message.type === 'error') this.onError(message.code);
    const fits = !isPlainChunk(message) || message.content.length <= this.limits.chunkMaxChars;
    if (fits && !this.held && this.waiting.length === 0 && this.socket.bufferedAmount < this.limits.highWaterBytes) {
      const text = this.write(message);
      this.largestBytes = Buffer.byteLength(text);
      return;
    }
    this.largestBytes = Math.max(this.largestBytes, sizeOf(message));
    this.hold(message);
    if (this.socket.bufferedAmount + this.waitingBytes > this.limits.hardLimitBytes + this.largestBytes) {
      this.close();
      condemn(this.socket, 1013, 'client reads too slowly');
      this.onOverflow();
      return;
    }
    if (this.socket.bufferedAmount < this.limits.highWaterBytes) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), RETRY_MS);
  }

  /** Answer `answerId`'s next chunk is number `streamIndex` (a resumed answer continues the client's count). */
  continueAt(answerId: string, streamIndex: number): void {
    this.resumed = { answerId, streamIndex };
  }

  holdUntil(ready: Promise<void>): void {
    const held = ready.catch(() => undefined);
    this.held = held;
    void held.then(() => {
      if (this.held !== held) return;
      this.held = undefined;
      this.flush();
    });
  }

  /**
   * The conversation is over: close the socket after the messages still waiting here, with 1000, or
   * with the close code of the error that ended it (1001 at shutdown).
   */
  end(reason?: ProtocolError): void {
    this.closing = reason?.closeCode ? { code: reason.closeCode, reason: reason.closeReason } : { code: 1000, reason: 'session closed' };
    this.closeIfDone();
  }

  /** Stops retrying: the socket is gone. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.waiting.length = 0;
    this.waitingBytes = 0;
  }

  /** Queues a message; plain answer text joins the plain chunk waiting before it, up to chunkMaxChars a chunk. */
  private hold(message: ConversationMessage): void {
    this.waitingBytes += sizeOf(message);
    if (!isPlainChunk(message)) {
      this.waiting.push(message);
      return;
    }
    const { replace, ...plain } = message;
    let text = plain.content;
    const last = this.waiting.at(-1);
    if (last && isPlainChunk(last) && !replace) {
      const cut = cutAt(text, this.limits.chunkMaxChars - last.content.length);
      last.content += text.slice(0, cut);
      text = text.slice(cut);
    }
    // A piece too long for one chunk goes as several; only the first replaces, the others append.
    for (let first = true; text; first = false) {
      const cut = cutAt(text, this.limits.chunkMaxChars);
      this.waiting.push({ ...plain, content: text.slice(0, cut), ...(first && replace ? { replace } : {}) });
      text = text.slice(cut);
    }
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.socket.readyState !== WebSocket.OPEN) return this.close();
    if (this.held) return;
    while (this.waiting.length > 0 && this.socket.bufferedAmount < this.limits.highWaterBytes) {
      const message = this.waiting.shift()!;
      this.waitingBytes = Math.max(0, this.waitingBytes - sizeOf(message));
      this.write(message);
    }
    if (this.waiting.length > 0) this.timer = setTimeout(() => this.flush(), RETRY_MS);
    else this.closeIfDone();
  }

  /** Writes one message to the socket, numbering it if it is an answer chunk. */
  private write(message: ConversationMessage): string {
    if (message.type === 'answer' && message.answer_id === this.resumed?.answerId) {
      this.nextIndex = this.resumed.streamIndex;
      this.resumed = undefined;
    }
    const numbered: OutboundMessage = message.type === 'answer' ? { ...message, stream_index: this.nextIndex++ } : message;
    if (message.type === 'answer' && message.final) this.nextIndex = 0;
    const text = JSON.stringify(numbered);
    this.socket.send(text);
    return text;
  }

  private closeIfDone(): void {
    if (this.closing && this.waiting.length === 0) this.socket.close(this.closing.code, this.closing.reason);
  }
}

/** What a waiting message costs: an answer chunk its text (merged chunks share one envelope), others their JSON. */
function sizeOf(message: ConversationMessage): number {
  return Buffer.byteLength(isPlainChunk(message) ? message.content : JSON.stringify(message));
}

/** Where to cut `text` to keep at most `max` UTF-16 units, never between the halves of a surrogate pair. */
function cutAt(text: string, max: number): number {
  if (text.length <= max) return text.length;
  const code = text.charCodeAt(max - 1);
  return code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
}
