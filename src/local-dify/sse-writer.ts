import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { setImmediate as nextTick } from 'node:timers/promises';
import { toJson } from './wire-format';

export interface SseStyle {
  crlf: boolean;
  legacyJson: boolean;
  /** Cut every frame at random byte offsets (inside UTF-8 characters too), written separately. */
  splitWrites: boolean;
  random: () => number;
}

/**
 * Writes Dify's SSE frames in order. Frames and pings share one queue, so a ping never lands inside
 * a frame that is being written in pieces.
 */
export class SseWriter {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly res: ServerResponse,
    private readonly style: SseStyle,
  ) {}

  get open(): boolean {
    return !this.res.writableEnded && !this.res.destroyed;
  }

  data(payload: object): Promise<void> {
    return this.write(`data: ${toJson(payload, this.style.legacyJson)}`);
  }

  /** Another platform's frame: an optional `event:` line, then `data:` (JSON, or a sentinel such as `[DONE]`). */
  frame(payload: object | string, event?: string): Promise<void> {
    const data = `data: ${typeof payload === 'string' ? payload : toJson(payload, this.style.legacyJson)}`;
    return this.write(event ? `event: ${event}${this.style.crlf ? '\r\n' : '\n'}${data}` : data);
  }

  ping(): Promise<void> {
    return this.write('event: ping');
  }

  /** Ends the response after everything queued. */
  end(): Promise<void> {
    return this.enqueue(async () => {
      if (this.open) this.res.end();
    });
  }

  private write(line: string): Promise<void> {
    const eol = this.style.crlf ? '\r\n' : '\n';
    const bytes = Buffer.from(`${line}${eol}${eol}`, 'utf8');
    return this.enqueue(async () => {
      for (const piece of this.pieces(bytes)) {
        if (!this.open) return;
        // Like a real server, wait while the client is not reading.
        if (!this.res.write(piece)) await Promise.race([once(this.res, 'drain'), once(this.res, 'close')]);
        if (this.style.splitWrites) await nextTick();
      }
    });
  }

  private pieces(bytes: Buffer): Buffer[] {
    if (!this.style.splitWrites || bytes.length < 2) return [bytes];
    const cuts = [...new Set(Array.from({ length: 3 }, () => 1 + Math.floor(this.style.random() * (bytes.length - 1))))].sort(
      (a, b) => a - b,
    );
    return [0, ...cuts].map((start, i) => bytes.subarray(start, cuts[i] ?? bytes.length));
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(step, step);
    return this.queue;
  }
}
