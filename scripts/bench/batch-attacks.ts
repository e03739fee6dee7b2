/**
 * Issue 20's attacks on the batch API (in-process queue): big tasks submitted and cancelled, long
 * transcripts, thousands of progress streams. 429, 400 or 413 where the service once accepted is a
 * fine outcome: every status is counted, none stops the attack.
 */
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import type { Attack } from './attack-types';
import { call, graceAfter, tally } from './attack-io';
import { round, stats } from './stats';

/** A text of 4,000 characters, the most one text may have. */
const LONG_TEXT = 'What is RAG? '.repeat(308).slice(0, 4000);
/** Texts in a 16 MiB task: 4,190 of 4,000 characters, with the JSON around them just under BATCH_MAX_BODY_BYTES. */
const BIG_TASK_TEXTS = 4190;
/** The 10,000 items a task may have. */
const MANY_TEXTS = 10_000;
/** BATCH_MAX_OPEN_TASKS' default: the tasks a caller may have pending or running at once. */
const OPEN_TASKS = 10;
/** Questions of the task the progress streams follow: enough to keep it running all along (BATCH_RATE_PER_SECOND is 20). */
const WATCHED_TEXTS = 1000;
const STREAMS = 5000;
/** Streams being opened at a time: 5,000 at once would only measure the accept queue. */
const STREAMS_PARALLEL = 500;

const tasks = (httpUrl: string) => `${httpUrl}/api/batch/tasks`;
const manyTexts = (count: number) => Array.from({ length: count }, (_, i) => `Question ${i}: what is RAG?`);
/** A transcript of `count` questions, one a line. */
const transcript = (count: number) =>
  JSON.stringify({ name: `transcript of ${count}`, transcript: Array.from({ length: count }, (_, i) => `What is item ${i}?`).join('\n') });

/** Submits `body` and cancels what was accepted; the statuses of both counted in `statuses`. */
async function submitAndCancel(httpUrl: string, body: string, until: number, statuses: Record<string, number>) {
  const submitted = await call('POST', tasks(httpUrl), until, body);
  tally(statuses, `POST ${submitted.status}`);
  // No service to answer: not hammered in a tight loop.
  if (typeof submitted.status !== 'number') await sleep(100);
  const id = submitted.json?.task_id;
  if (!id) return { submitted };
  const task = await call('GET', `${tasks(httpUrl)}/${id}`, until);
  const cancelled = await call('DELETE', `${tasks(httpUrl)}/${id}`, until);
  tally(statuses, `DELETE ${cancelled.status}`);
  return { submitted, items: task.json?.progress?.total, cancelled };
}

export const BATCH_ATTACKS: Attack[] = [
  {
    // Before: about 44 MB kept per cycle, out of memory after 256 cycles.
    name: '16 MiB batch task submitted and cancelled, again and again',
    run: async ({ httpUrl }, until) => {
      const body = JSON.stringify({ name: 'attack: 16 MiB', texts: Array<string>(BIG_TASK_TEXTS).fill(LONG_TEXT) });
      const statuses: Record<string, number> = {};
      let cycles = 0;
      while (performance.now() < until) {
        const { cancelled } = await submitAndCancel(httpUrl, body, until, statuses);
        if (cancelled?.status === 200) cycles++;
      }
      return { cycles, bodyBytes: Buffer.byteLength(body), statuses };
    },
  },
  {
    // Before: a DELETE took 8.7 s, the event loop blocked all along (the queue's waiting items of all
    // ten tasks skipped one by one).
    name: 'tasks of 10,000 texts: 10 submitted, then cancelled one by one',
    run: async ({ httpUrl }, until) => {
      const body = JSON.stringify({ name: 'attack: 10,000 to cancel', texts: manyTexts(MANY_TEXTS) });
      const statuses: Record<string, number> = {};
      const deleteMs: number[] = [];
      while (performance.now() < until) {
        const ids: string[] = [];
        for (let i = 0; i < OPEN_TASKS && performance.now() < until; i++) {
          const submitted = await call('POST', tasks(httpUrl), until, body);
          tally(statuses, `POST ${submitted.status}`);
          if (submitted.json?.task_id) ids.push(submitted.json.task_id);
          else await sleep(100);
        }
        for (const id of ids) {
          const cancelled = await call('DELETE', `${tasks(httpUrl)}/${id}`, until);
          tally(statuses, `DELETE ${cancelled.status}`);
          deleteMs.push(cancelled.ms);
        }
      }
      return { cancels: deleteMs.length, deleteMs: { ...stats(deleteMs), max: round(Math.max(0, ...deleteMs)) }, statuses };
    },
  },
  {
    // Before: 20,000 questions accepted past the 10,000-item cap; 130,000 a stack overflow (503).
    name: 'transcripts of 20,000 and 130,000 questions',
    run: async ({ httpUrl }, until) => {
      const figures: Record<string, Record<string, number>> = {};
      for (const count of [20_000, 130_000]) figures[`${count} questions`] = {};
      const bodies = [20_000, 130_000].map((count) => ({ count, body: transcript(count) }));
      while (performance.now() < until) {
        for (const { count, body } of bodies) {
          const statuses = figures[`${count} questions`];
          const { submitted, items } = await submitAndCancel(httpUrl, body, until, statuses);
          statuses.maxMs = round(Math.max(statuses.maxMs ?? 0, submitted.ms));
          if (items !== undefined) statuses.itemsAccepted = Math.max(statuses.itemsAccepted ?? 0, items);
        }
      }
      return figures;
    },
  },
  {
    // Before: no cap, about 39 KB of the service's memory each.
    name: `${STREAMS.toLocaleString('en')} progress streams (SSE) on one task`,
    run: async ({ httpUrl }, until) => {
      const statuses: Record<string, number> = {};
      const submitted = await call(
        'POST',
        tasks(httpUrl),
        until,
        JSON.stringify({ name: 'attack: watched', texts: manyTexts(WATCHED_TEXTS) }),
      );
      const id = submitted.json?.task_id;
      if (!id) return { streamsAsked: 0, held: 0, statuses: { [`POST ${submitted.status}`]: 1 } };
      const streams: Array<() => void> = [];
      // STREAMS_PARALLEL openers, each opening the next stream once its last one answered.
      await Promise.all(
        Array.from({ length: STREAMS_PARALLEL }, async () => {
          while (streams.length < STREAMS && performance.now() < until) {
            const stream = openStream(`${tasks(httpUrl)}/${id}/events`, until);
            streams.push(() => void stream.then(({ close }) => close()));
            tally(statuses, (await stream).status);
          }
        }),
      );
      const open = statuses[200] ?? 0;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, until - performance.now())));
      for (const close of streams) close();
      await call('DELETE', `${tasks(httpUrl)}/${id}`, until);
      return { streamsAsked: streams.length, held: open, statuses };
    },
  },
];

/** Opens a progress stream and reads it until closed; resolves with its status once the headers came (given up GRACE_MS after `until`). */
function openStream(url: string, until: number): Promise<{ status: number | string; close: () => void }> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, signal: graceAfter(until) }, (res) => {
      res.on('error', () => undefined); // closing it is how it ends
      res.resume();
      resolve({ status: res.statusCode ?? 'none', close: () => req.destroy() });
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ status: error.code ?? 'error', close: () => req.destroy() }));
    req.end();
  });
}
