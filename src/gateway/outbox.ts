import { WebSocket } from 'ws';
import type { MessageSink } from '../conversation';
import { AnswerMessage, OutboundMessage, ProtocolError } from '../protocol';

export interface OutboxLimits {
  /** Above this many bytes buffered for the socket, messages wait here and answer chunks merge. */
  highWaterBytes: number;
  /** Above this many bytes buffered and waiting, the client is too slow: close 1013. */
  hardLimitBytes: number;
}

/** How often a backed-up outbox looks whether the socket has drained. */
const RETRY_MS = 10;

const isPlainChunk = (m: OutboundMessage): m is AnswerMessage => m.type === 'answer' && !m.final;

/**
 * One socket's way out. A fast reader gets every message at once. For a slow one, messages wait
 * here while the socket's buffer is over the high-water mark, and consecutive chunks of one answer
 * merge into one (losslessly: contents join, stream_index stays 0,1,2… and final stays last), so
 * memory grows with the answer's text, not with the number of chunks. Past the hard limit the
 * client is closed with 1013 (try again later), which also cancels its answer upstream.
 */
export class Outbox implements MessageSink {
  private readonly waiting: OutboundMessage[] = [];
  private waitingBytes = 0;
  /** Chunks of the current answer merged away so far: later stream_index values shift down by it. */
  private merged = 0;
  private timer?: NodeJS.Timeout;
  /** The conversation is over: close the socket like this once nothing waits here. */
  private closing?: { code: number; reason: string };

  constructor(
    private readonly socket: WebSocket,
    private readonly limits: OutboxLimits,
    /** Called when the client falls past the hard limit, at once: its closing handshake may never finish. */
    private readonly onOverflow: () => void = () => undefined,
  ) {}

  send(message: OutboundMessage): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    const renumbered = this.renumber(message);
    if (this.waiting.length === 0 && this.socket.bufferedAmount < this.limits.highWaterBytes) {
      this.socket.send(JSON.stringify(renumbered));
      return;
    }
    this.hold(renumbered);
    if (this.socket.bufferedAmount + this.waitingBytes > this.limits.hardLimitBytes) {
      this.close();
      this.socket.close(1013, 'client reads too slowly');
      this.onOverflow();
      return;
    }
    this.timer ??= setTimeout(() => this.flush(), RETRY_MS);
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

  private renumber(message: OutboundMessage): OutboundMessage {
    if (message.type !== 'answer') return message;
    const shifted = this.merged ? { ...message, stream_index: message.stream_index - this.merged } : message;
    if (message.final) this.merged = 0;
    return shifted;
  }

  /** Queues a message, merging a plain answer chunk into the plain chunk waiting before it. */
  private hold(message: OutboundMessage): void {
    const last = this.waiting.at(-1);
    if (last && isPlainChunk(last) && isPlainChunk(message) && !message.replace) {
      last.content += message.content;
      this.waitingBytes += Buffer.byteLength(message.content);
      this.merged++;
      return;
    }
    this.waiting.push(isPlainChunk(message) ? { ...message } : message);
    this.waitingBytes += Buffer.byteLength(JSON.stringify(message));
  }

  private flush(): void {
    this.timer = undefined;
    if (this.socket.readyState !== WebSocket.OPEN) return this.close();
    while (this.waiting.length > 0 && this.socket.bufferedAmount < this.limits.highWaterBytes) {
      const message = this.waiting.shift()!;
      const text = JSON.stringify(message);
      this.waitingBytes = Math.max(0, this.waitingBytes - Buffer.byteLength(text));
      this.socket.send(text);
    }
    if (this.waiting.length > 0) this.timer = setTimeout(() => this.flush(), RETRY_MS);
    else this.closeIfDone();
  }

  private closeIfDone(): void {
    if (this.closing && this.waiting.length === 0) this.socket.close(this.closing.code, this.closing.reason);
  }
}
