/**
 * The attacks of `npm run bench -- --attack`, each from loopback, within the documented limits,
 * running until its time is up and then closing what it opened. Issue 10's attacks on the WebSocket
 * are here; issue 20's on the batch API, the upstream and hello's inputs in files of their own. The
 * harness that measures everyone else meanwhile is under-attack.ts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { BATCH_ATTACKS } from './batch-attacks';
import type { Attack } from './attack-types';
import { closeAll, connect, connectMany } from './clients';
import { INPUT_ATTACKS } from './input-attacks';
import { UPSTREAM_ATTACKS } from './upstream-attacks';

/** A final of 4,000 characters that ends mid-sentence, so each one waits for the next to finish it. */
const UNFINISHED = `${'关于那个就是说 about the '.repeat(180)}and`;
const DEEP = `${'['.repeat(30_000)}${']'.repeat(30_000)}`;
const KEEPALIVE = JSON.stringify({ type: 'keepalive' });

const SOCKET_ATTACKS: Attack[] = [
  {
    // Issue 10 point 1: ten of them, each at 10 finals a second (a fifth of the rate limit).
    name: 'endless sentence (10 sockets × 10 finals/s of 4,000 chars)',
    run: async ({ wsUrl }, until) => {
      const sockets = await connectMany(wsUrl, 10);
      while (performance.now() < until) {
        for (const socket of sockets) socket.send(JSON.stringify({ type: 'asr_chunk', text: UNFINISHED, is_final: true }));
        await sleep(100);
      }
      await closeAll(sockets);
    },
  },
  {
    // Point 2: each socket sends 10,000 keepalives in one burst, is closed 1008, and comes back.
    name: 'keepalive flood (50 sockets × 10,000 at once, reconnecting)',
    run: async ({ wsUrl }, until) => {
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          while (performance.now() < until) {
            const socket = await connect(wsUrl);
            const closed = new Promise((resolve) => socket.once('close', resolve));
            for (let i = 0; i < 10_000; i++) socket.send(KEEPALIVE);
            await Promise.race([closed, sleep(Math.max(0, until - performance.now()))]);
            socket.terminate();
          }
        }),
      );
    },
  },
  {
    // Point 3: 90 frames of a 30,000-deep array on each of 10 sockets, again and again.
    name: 'deep JSON (10 sockets × 90 frames, 30,000 deep)',
    run: async ({ wsUrl }, until) => {
      const sockets = await connectMany(wsUrl, 10);
      while (performance.now() < until) {
        await Promise.all(sockets.map((socket) => sendAndDrain(socket, DEEP, 90)));
      }
      await closeAll(sockets);
    },
  },
];

export const ATTACKS: Attack[] = [
  { name: 'none', run: async (_target, until) => void (await sleep(Math.max(0, until - performance.now()))) },
  ...SOCKET_ATTACKS,
  ...BATCH_ATTACKS,
  ...UPSTREAM_ATTACKS,
  ...INPUT_ATTACKS,
];

/** Sends `count` copies and waits until the socket's buffer has gone out (so the loop is paced by the server). */
async function sendAndDrain(socket: WebSocket, frame: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) socket.send(frame);
  while (socket.bufferedAmount > 0 && socket.readyState === WebSocket.OPEN) await sleep(5);
  await sleep(20);
}
