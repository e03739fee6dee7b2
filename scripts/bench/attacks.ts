/**
 * What an attacker on loopback costs everyone else: `/health` latency and a bystander's first answer
 * chunk while each attack runs, beside the same with no attack. Every attack stops by itself. The
 * attacker runs in a process of its own (attacker.ts), so its own busy loop never delays the probes.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { ask, closeAll, connect, connectMany } from './clients';
import { Measured } from './processes';
import { round, stats } from './stats';

interface Attack {
  name: string;
  /** Runs until `until` (performance.now() ms), then closes what it opened. */
  run(url: string, until: number): Promise<void>;
}

/** A final of 4,000 characters that ends mid-sentence, so each one waits for the next to finish it. */
const UNFINISHED = `${'关于那个就是说 about the '.repeat(180)}and`;
const DEEP = `${'['.repeat(30_000)}${']'.repeat(30_000)}`;
const KEEPALIVE = JSON.stringify({ type: 'keepalive' });

export const ATTACKS: Attack[] = [
  { name: 'none', run: async (_url, until) => void (await sleep(Math.max(0, until - performance.now()))) },
  {
    // Issue 10 point 1: ten of them, each at 10 finals a second (a fifth of the rate limit).
    name: 'endless sentence (10 sockets × 10 finals/s of 4,000 chars)',
    run: async (url, until) => {
      const sockets = await connectMany(url, 10);
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
    run: async (url, until) => {
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          while (performance.now() < until) {
            const socket = await connect(url);
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
    run: async (url, until) => {
      const sockets = await connectMany(url, 10);
      while (performance.now() < until) {
        await Promise.all(sockets.map((socket) => sendAndDrain(socket, DEEP, 90)));
      }
      await closeAll(sockets);
    },
  },
];

/** Sends `count` copies and waits until the socket's buffer has gone out (so the loop is paced by the server). */
async function sendAndDrain(socket: WebSocket, frame: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) socket.send(frame);
  while (socket.bufferedAmount > 0 && socket.readyState === WebSocket.OPEN) await sleep(5);
  await sleep(20);
}

/** Runs each attack for `seconds` against the service, probing `/health` every 50 ms and a bystander's answer every 250 ms. */
export async function attackFigures(target: Measured, seconds: number) {
  const httpUrl = target.url.replace(/^ws/, 'http').replace(/\/ws\/.*$/, '');
  const figures: Record<
    string,
    { healthMs: ReturnType<typeof stats>; healthMaxMs: number; bystanderFirstChunkMs: ReturnType<typeof stats>; bystanderAnswers: number }
  > = {};
  for (const attack of ATTACKS) {
    const until = performance.now() + seconds * 1000;
    const attacker = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join(__dirname, 'attacker.ts'), attack.name, target.url, String(seconds)],
      {
        stdio: 'inherit',
      },
    );
    const attacking = once(attacker, 'exit');
    const [health, bystander] = await Promise.all([probeHealth(httpUrl, until), probeBystander(target.url, until)]);
    await attacking;
    figures[attack.name] = {
      healthMs: stats(health),
      healthMaxMs: round(Math.max(...health)),
      bystanderFirstChunkMs: stats(bystander),
      bystanderAnswers: bystander.length,
    };
    await sleep(500); // let the last closes settle before the next attack
  }
  return figures;
}

async function probeHealth(httpUrl: string, until: number): Promise<number[]> {
  const times: number[] = [];
  while (performance.now() < until) {
    const started = performance.now();
    await fetch(`${httpUrl}/health`, { signal: AbortSignal.timeout(60_000) });
    times.push(performance.now() - started);
    await sleep(50);
  }
  return times;
}

async function probeBystander(url: string, until: number): Promise<number[]> {
  const socket = await connect(url);
  const times: number[] = [];
  while (performance.now() < until) {
    times.push((await ask(socket)).firstMs);
    await sleep(250);
  }
  await closeAll([socket]);
  return times;
}
