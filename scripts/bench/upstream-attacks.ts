/**
 * Issue 20's attacks through a broken upstream: the attacker's questions carry a marker that makes the
 * local Dify (armUpstream) answer without end, or never send headers; the bystander's questions have
 * none and meet a healthy Dify.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import type { LocalDifyServer } from '../../src/local-dify';
import type { Attack } from './attack-types';
import { countReplies } from './attack-io';
import { closeAll, connectMany } from './clients';

/** In a question, these make the local Dify answer without end, or never send headers. */
const ENDLESS = 'endless answer please';
const NO_HEADERS = 'no headers please';

/** The attacker's questions meet an endless answer (at the local Dify's pace) or a server that never sends headers. */
export function armUpstream(dify: LocalDifyServer): void {
  dify.injectQueryFault(ENDLESS, { kind: 'endless' });
  dify.injectQueryFault(NO_HEADERS, { kind: 'silent' });
}

const ask = (text: string) => JSON.stringify({ type: 'asr_chunk', text, is_final: true });

export const UPSTREAM_ATTACKS: Attack[] = [
  {
    // Before: 105 MB to one client in 30 s.
    name: 'endless answer from the upstream (2 sockets, asking again when one ends)',
    run: async ({ wsUrl }, until) => {
      const sockets = await connectMany(wsUrl, 2);
      const replies: Record<string, number> = {};
      const received = sockets.map((socket) => {
        const again = () => void sleep(100).then(() => socket.readyState === socket.OPEN && socket.send(ask(`What is RAG, ${ENDLESS}?`)));
        const counted = countReplies(socket, replies, again);
        socket.send(ask(`What is RAG, ${ENDLESS}?`));
        return counted;
      });
      await sleep(Math.max(0, until - performance.now()));
      await closeAll(sockets);
      const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
      return {
        mbToClients: mb(received.reduce((sum, r) => sum + r.bytes, 0)),
        mbToOneClientMax: mb(Math.max(...received.map((r) => r.bytes))),
        replies,
      };
    },
  },
  {
    // Before: 586 Dify connections open with MAX_CONCURRENT_ANSWERS=20.
    name: 'upstream never sending headers, 10 sockets barging in every 100 ms',
    env: { MAX_CONCURRENT_ANSWERS: '20' },
    run: async ({ wsUrl }, until) => {
      const sockets = await connectMany(wsUrl, 10);
      const replies: Record<string, number> = {};
      for (const socket of sockets) countReplies(socket, replies);
      let questions = 0;
      while (performance.now() < until) {
        for (const socket of sockets) socket.send(ask(`Question ${questions++}: what is RAG, ${NO_HEADERS}?`));
        await sleep(100);
      }
      await closeAll(sockets);
      return { questions, replies };
    },
  },
];
