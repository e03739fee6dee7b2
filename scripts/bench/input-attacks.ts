/**
 * Issue 20's attacks through `hello{inputs}`: big values kept for many sessions, and keys that would
 * reach an object's prototype. The local Dify's form (INPUT_FORM) has a paragraph field without
 * max_length, as an app may.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { Attack } from './attack-types';
import { countReplies } from './attack-io';
import { closeAll, connectMany } from './clients';

export const INPUT_FORM = [{ paragraph: { variable: 'notes', label: 'Notes', required: false } }];

/** 60 KB, within MAX_FRAME_BYTES (64 KiB) with the hello around it. */
const NOTES = 'n'.repeat(60_000);
/** Past this much unsent, a socket skips a tick: the attack is paced by the server, not by this process's buffers. */
const UNSENT_MAX = 1 << 20;

/** Sends `frame(socket index, n)` on each of `count` sockets `perSecond` times a second until `until`; returns the replies and how many went. */
async function hellos(wsUrl: string, until: number, count: number, perSecond: number, frame: (socket: number, n: number) => string) {
  const sockets = await connectMany(wsUrl, count);
  const replies: Record<string, number> = {};
  for (const socket of sockets) countReplies(socket, replies);
  let sent = 0;
  while (performance.now() < until) {
    for (const [i, socket] of sockets.entries()) {
      if (socket.readyState === WebSocket.OPEN && socket.bufferedAmount < UNSENT_MAX) socket.send(frame(i, sent++));
    }
    await sleep(1000 / perSecond);
  }
  await closeAll(sockets);
  return { hellos: sent, replies };
}

export const INPUT_ATTACKS: Attack[] = [
  {
    // Before: heap from 31 to 803 MB.
    name: 'hello with 60 KB of inputs, each to a new session (20 sockets × 25/s)',
    run: ({ wsUrl }, until) =>
      hellos(wsUrl, until, 20, 25, (socket, n) =>
        JSON.stringify({ type: 'hello', features: [], session_id: `attack-inputs-${socket}-${n}`, inputs: { notes: NOTES } }),
      ),
  },
  {
    // Before: SERVER_ERROR, and a stack trace logged each time.
    name: 'hello{inputs:{constructor:{prototype:…}}} (5 sockets × 20/s)',
    run: ({ wsUrl }, until) =>
      hellos(wsUrl, until, 5, 20, () =>
        JSON.stringify({ type: 'hello', features: [], inputs: { constructor: { prototype: { polluted: true } } } }),
      ),
  },
];
