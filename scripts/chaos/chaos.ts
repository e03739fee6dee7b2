/**
 * The chaos run: three service processes behind no balancer (each client picks one at random),
 * Redis, the local Dify; a few hundred sessions asking while their sockets are dropped at random
 * mid-answer and resumed on another instance; one instance SIGKILLed mid-run; Redis restarted once
 * (with --cluster: a Redis Cluster of three masters, each with a replica, one master failed over).
 * Loopback only, bounded in count and time, stops by itself. Reports answers lost, bytes duplicated
 * and missing (all must be 0), the most Dify calls seen at once on one conversation (must be 1),
 * whether the surviving instances are ready again, and resume latency; exits 1 when any of those fails.
 *   npm run chaos                         about 2 minutes, 300 sessions
 *   npm run chaos -- --quick              about 30 s, 40 sessions (CI)
 *   npm run chaos -- --cluster [--quick]  the same on a Redis Cluster (CI: --quick)
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalDifyServer } from '../../src/local-dify';
import { startServiceProcess } from '../../test/support/service-process';
import { waitUntil } from '../../test/support/wait-until';
import { round, stats } from '../bench/stats';
import { ChaosRedis, clusterRedis, singleRedis } from './chaos-redis';
import { runSession, SessionOutcome } from './session-client';

const quick = process.argv.includes('--quick');
const cluster = process.argv.includes('--cluster');
const SIZE = quick ? { sessions: 40, seconds: 30 } : { sessions: 300, seconds: 120 };
const KEY = 'app-chaos';
/** How long the surviving instances have, after the run, to be ready again. */
const READY_WAIT_MS = 30_000;
const QUESTIONS = ['什么是 RAG？', 'What is Dify?', '年假有几天？', 'How do I reset my password?'];
const root = join(__dirname, '..', '..');

async function main(): Promise<void> {
  const redis = cluster ? await clusterRedis() : await singleRedis();
  const dify = new LocalDifyServer({ apiKeys: [KEY], firstChunkDelayMs: 50, chunkDelayMs: 25, chunkChars: 3 });
  const difyUrl = (await dify.listen()).baseUrl;
  const instances = await Promise.all([0, 1, 2].map(() => startInstance(difyUrl, redis)));
  const alive = [...instances];
  let mostAtOnce = 0;
  const monitor = setInterval(() => {
    const open = new Map<string, number>();
    for (const s of dify.streams) if (s.outcome === 'open') open.set(s.conversationId, (open.get(s.conversationId) ?? 0) + 1);
    mostAtOnce = Math.max(mostAtOnce, ...open.values(), 0);
  }, 5);
  const started = performance.now();
  const deadline = started + SIZE.seconds * 1000;
  try {
    const at = (share: number) => sleep(Math.max(0, started + share * SIZE.seconds * 1000 - performance.now()));
    const chaos = (async () => {
      await at(0.3);
      const victim = alive.splice(1, 1)[0];
      victim.process.kill('SIGKILL');
      await at(0.55);
      await redis.fault();
    })();
    const sessions = Array.from({ length: SIZE.sessions }, async (_, i): Promise<SessionOutcome> => {
      await at((0.6 * i) / SIZE.sessions);
      return runSession({
        sessionId: `chaos-${i}`,
        pickUrl: () => alive[Math.floor(Math.random() * alive.length)].wsUrl,
        question: QUESTIONS[i % QUESTIONS.length],
        dropChance: 0.05,
        deadline,
      });
    });
    const outcomes = await Promise.all(sessions);
    await chaos;
    report(outcomes, dify, mostAtOnce, await readyAgain(alive), redis.faultName);
  } finally {
    clearInterval(monitor);
    for (const instance of instances) instance.process.kill('SIGKILL');
    await dify.close();
    await redis.stop();
  }
}

function report(outcomes: SessionOutcome[], dify: LocalDifyServer, mostAtOnce: number, ready: boolean, fault: string): void {
  let lost = 0;
  /** Why answers were lost: how they ended for the client (unfinished, interrupted, resume-unavailable…). */
  const lostBy: Record<string, number> = {};
  let duplicated = 0;
  let missing = 0;
  const mismatched: Array<{ sessionId: string; messageId?: string; held: number; expected: number }> = [];
  const errorCodes: Record<string, number> = {};
  for (const code of outcomes.flatMap((o) => o.errors)) errorCodes[code] = (errorCodes[code] ?? 0) + 1;
  for (const outcome of outcomes) {
    // Which generation the client's answer is: by Dify's message id when `sources` said it (an answer
    // finished from Dify's history after its instance died has none), else the session's own.
    const generations = dify.streams.filter((s) => s.user === `anonymous:${outcome.sessionId}` && s.generation === 'completed');
    const expected = (
      generations.find((s) => s.messageId === outcome.messageId) ??
      generations.find((s) => s.answer === outcome.text) ??
      generations.at(-1)
    )?.answer;
    if (outcome.finishReason !== 'complete' || expected === undefined) {
      lost++;
      const why = outcome.finishReason ?? 'unfinished';
      lostBy[why] = (lostBy[why] ?? 0) + 1;
      continue;
    }
    if (outcome.text === expected) continue;
    const have = Buffer.from(outcome.text);
    const want = Buffer.from(expected);
    let common = 0;
    while (common < have.length && common < want.length && have[common] === want[common]) common++;
    duplicated += have.length - common;
    missing += want.length - common;
    mismatched.push({ sessionId: outcome.sessionId, messageId: outcome.messageId, held: have.length, expected: want.length });
  }
  const resume = stats(outcomes.flatMap((o) => o.resumeMs));
  const figures = {
    sessions: outcomes.length,
    drops: outcomes.reduce((sum, o) => sum + o.drops, 0),
    askedAgainAfterAnError: outcomes.reduce((sum, o) => sum + o.retries, 0),
    resumesRefused: outcomes.reduce((sum, o) => sum + o.resumesRefused, 0),
    answersLost: lost,
    lostBy,
    mismatched,
    errorCodes,
    bytesDuplicated: duplicated,
    bytesMissing: missing,
    mostDifyCallsAtOnceOnOneConversation: mostAtOnce,
    readyAgain: ready,
    resumeMs: { n: resume.n, p50: round(resume.p50, 1), p99: round(resume.p99, 1) },
  };
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  const name = ['chaos', ...(cluster ? ['cluster'] : []), ...(quick ? ['quick'] : [])].join('-');
  writeFileSync(join(root, 'bench-results', `${name}.json`), JSON.stringify(figures, null, 2));
  console.log(`chaos run: ${figures.sessions} sessions, ${figures.drops} sockets dropped mid-answer, one instance killed, ${fault}`);
  console.log(
    `  answers lost ${lost}${lost ? ` (${JSON.stringify(lostBy)})` : ''} · bytes duplicated ${duplicated} · bytes missing ${missing}`,
  );
  console.log(`  asked again: ${figures.askedAgainAfterAnError} after a retryable error, ${figures.resumesRefused} after a refused resume`);
  console.log(`  most Dify calls at once on one conversation ${mostAtOnce}`);
  console.log(`  surviving instances ready again: ${ready ? 'yes' : 'no'}`);
  console.log(`  resume latency p50 ${figures.resumeMs.p50} ms, p99 ${figures.resumeMs.p99} ms (${resume.n} resumes)`);
  const failed = lost > 0 || duplicated > 0 || missing > 0 || mostAtOnce > 1 || !ready;
  console.log(failed ? 'FAILED' : 'passed');
  if (failed) process.exitCode = 1;
}

/** Whether every instance still running says it is ready (`/health/ready`) within READY_WAIT_MS, its Redis back. */
async function readyAgain(instances: Array<{ wsUrl: string }>): Promise<boolean> {
  const ready = (wsUrl: string) =>
    fetch(new URL('/health/ready', wsUrl.replace(/^ws/, 'http'))).then(
      (response) => response.ok,
      () => false,
    );
  return waitUntil(async () => (await Promise.all(instances.map(({ wsUrl }) => ready(wsUrl)))).every(Boolean), READY_WAIT_MS).then(
    () => true,
    () => false,
  );
}

function startInstance(difyUrl: string, redis: ChaosRedis): Promise<{ wsUrl: string; process: ChildProcess }> {
  const env = { DIFY_API_KEY: KEY, DIFY_BASE_URL: difyUrl, ...redis.env, LOG_LEVEL: 'error' };
  const unlimited = {
    QUESTION_WAIT_MS: '0',
    QUESTION_WAIT_MS_PUNCTUATED: '0',
    MAX_CONNECTIONS_PER_IP: '100000',
    MAX_CONNECTIONS_PER_PRINCIPAL: '100000',
    MAX_CONCURRENT_ANSWERS: '100000',
  };
  return startServiceProcess({ ...env, ...unlimited }, true);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
