/**
 * Turn-taking (issue 13): the corpus replayed against two service processes side by side, TURN_POLICY
 * fixed and adaptive, both with today's waits, over one local Dify whose first token takes
 * `firstTokenMs`. Each turn runs on both at once, so drift on this shared machine hits both alike.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { ANONYMOUS } from '../../src/auth';
import { LocalDifyServer } from '../../src/local-dify';
import { difyUser } from '../../src/session/session-store';
import { Measured, Placement, startService } from './processes';
import { Observation, replay } from './turn-replay';
import { CLASSES, DifyCall, Goal, goals, POLICIES, Policy, PolicyFigures, scoreTurn, summarise } from './turn-scoring';
import { Turn, TurnClass, TURNS } from './turns-corpus';

const KEY = 'app-bench-turns';
/** Turns replayed at once (each on both policies): keeps the run short while timers stay on time. */
const CONCURRENT_TURNS = 20;
/** The CI-sized run: this many turns of each class, spread over the class (40 in all). */
const QUICK_TURNS: Record<TurnClass, number> = { complete: 14, 'lead-in': 8, continuation: 8, 'small-talk': 5, backchannel: 5 };
/** After its last event a turn waits this long for the service (past QUESTION_WAIT_MS), and at most this long in all. */
const TIMING = { settleMs: 1500, limitMs: 20_000 };
const WAITS = { QUESTION_WAIT_MS: '800', QUESTION_WAIT_MS_PUNCTUATED: '300' };

export interface TurnFigures {
  firstTokenMs: number;
  turns: Record<TurnClass, number>;
  policies: Record<Policy, PolicyFigures & { goals: Goal[] }>;
  /** `policy turn-id: what went wrong`, for the CI gate. */
  failures: string[];
  durationSeconds: number;
}

export async function turnFigures(servers: Placement, firstTokenMs: number, quick: boolean): Promise<TurnFigures> {
  const started = performance.now();
  // Answers of 90–340 characters in 3-character chunks 20 ms apart: a backchannel lands mid-answer.
  const dify = new LocalDifyServer({ apiKeys: [KEY], firstChunkDelayMs: firstTokenMs, chunkDelayMs: 20, chunkChars: 3 });
  const { baseUrl } = await dify.listen();
  const services: Partial<Record<Policy, Measured>> = {};
  try {
    for (const policy of POLICIES) services[policy] = await startService(baseUrl, KEY, servers, { TURN_POLICY: policy, ...WAITS }, policy);
    const turns = quick ? quickTurns() : TURNS;
    const seen = await pooled(turns, (turn) =>
      Promise.all(POLICIES.map((policy) => replay(services[policy]!.url, turn, session(policy, turn), TIMING))),
    );
    await upstreamSettled(dify);
    const scores = turns.flatMap((turn, t) =>
      POLICIES.map((policy, p) => scoreTurn(turn, policy, seen[t][p], callsOf(dify, session(policy, turn)))),
    );
    const summary = summarise(scores);
    return {
      firstTokenMs,
      turns: perClass(turns),
      policies: {
        fixed: { ...summary.fixed, goals: goals(summary.fixed, firstTokenMs) },
        adaptive: { ...summary.adaptive, goals: goals(summary.adaptive, firstTokenMs) },
      },
      failures: scores.flatMap((score) => score.failures.map((failure) => `${score.policy} ${score.id}: ${failure}`)),
      durationSeconds: Math.round((performance.now() - started) / 1000),
    };
  } finally {
    for (const service of Object.values(services)) service.stop();
    await dify.close();
  }
}

function perClass(turns: readonly Turn[]): Record<TurnClass, number> {
  return Object.fromEntries(CLASSES.map((cls) => [cls, turns.filter((turn) => turn.class === cls).length])) as Record<TurnClass, number>;
}

/** Every class, each turn picked evenly over its class (so its gaps are spread too). */
function quickTurns(): Turn[] {
  return CLASSES.flatMap((cls) => {
    const mine = TURNS.filter((turn) => turn.class === cls);
    return Array.from({ length: QUICK_TURNS[cls] }, (_, i) => mine[Math.floor((i * mine.length) / QUICK_TURNS[cls])]);
  });
}

const session = (policy: Policy, turn: Turn) => `turns-${policy}-${turn.id}`;

/** Runs `work` on each turn, CONCURRENT_TURNS at a time, results in the turns' order. */
async function pooled(turns: readonly Turn[], work: (turn: Turn) => Promise<Observation[]>): Promise<Observation[][]> {
  const results: Observation[][] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < turns.length; i = next++) results[i] = await work(turns[i]);
  };
  await Promise.all(Array.from({ length: CONCURRENT_TURNS }, worker));
  return results;
}

/** An abandoned call's reply may still be closing: wait (a little) until none is open. */
async function upstreamSettled(dify: LocalDifyServer): Promise<void> {
  for (let waited = 0; waited < 5000 && dify.streams.some((stream) => stream.outcome === 'open'); waited += 50) await sleep(50);
}

function callsOf(dify: LocalDifyServer, sessionId: string): DifyCall[] {
  const user = difyUser(ANONYMOUS, sessionId);
  const stopped = new Set(dify.stopCalls.filter((call) => call.user === user).map((call) => call.taskId));
  return dify.streams
    .filter((stream) => stream.user === user)
    .map((stream) => ({
      query: stream.query,
      abandoned: stream.outcome === 'stopped' || stream.outcome === 'client-closed' || stopped.has(stream.taskId),
    }));
}
