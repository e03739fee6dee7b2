/** What the attacks send and count: HTTP calls never throwing and bounded in time, replies on a socket by kind. */
import { performance } from 'node:perf_hooks';
import type WebSocket from 'ws';

/** How long a call may go on after its attack's time is up (a blocked server is measured, not waited for). */
export const GRACE_MS = 20_000;

export interface Reply {
  /** The HTTP status, or why there was none ('no answer'). */
  status: number | string;
  ms: number;
  /** The body parsed as JSON, when it was. */
  json?: { task_id?: string; progress?: { total?: number }; message?: unknown };
}

/** Aborts GRACE_MS after `until` (performance.now() ms). */
export const graceAfter = (until: number) => AbortSignal.timeout(Math.round(Math.max(0, until - performance.now()) + GRACE_MS));

/** One request, given up GRACE_MS after `until`. */
export async function call(method: string, url: string, until: number, body?: string): Promise<Reply> {
  const started = performance.now();
  try {
    const response = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body,
      signal: graceAfter(until),
    });
    const text = await response.text();
    let json: Reply['json'];
    try {
      json = JSON.parse(text) as Reply['json'];
    } catch {
      json = undefined;
    }
    return { status: response.status, ms: performance.now() - started, json };
  } catch {
    return { status: 'no answer', ms: performance.now() - started };
  }
}

/** Adds one to `key`'s count. */
export function tally(counts: Record<string, number>, key: string | number): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/**
 * Counts the socket's replies in `counts` by kind ("ack hello", "error RATE_LIMITED", "final
 * complete"…) and its bytes; calls `onEnd` when an answer ended (its final chunk, or an error).
 */
export function countReplies(socket: WebSocket, counts: Record<string, number>, onEnd?: () => void): { bytes: number } {
  const received = { bytes: 0 };
  socket.on('message', (data: Buffer) => {
    received.bytes += data.length;
    const message = JSON.parse(data.toString()) as {
      type: string;
      received_type?: string;
      code?: string;
      final?: boolean;
      finish_reason?: string;
    };
    if (message.type === 'ack' && message.received_type) tally(counts, `ack ${message.received_type}`);
    if (message.type === 'error') tally(counts, `error ${message.code}`);
    if (message.type === 'answer' && message.final) tally(counts, `final ${message.finish_reason}`);
    if (message.type === 'error' || (message.type === 'answer' && message.final)) onEnd?.();
  });
  return received;
}
