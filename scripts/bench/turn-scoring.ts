/** Scores replayed turns (pure): what each client got against what its speaker asked, per class and policy. */
import { percentile, round } from './stats';
import { AnswerSeen, Observation } from './turn-replay';
import { Turn, TurnClass } from './turns-corpus';

export const POLICIES = ['fixed', 'adaptive'] as const;
export type Policy = (typeof POLICIES)[number];
export const CLASSES: readonly TurnClass[] = ['complete', 'lead-in', 'continuation', 'small-talk', 'backchannel'];

/** One Dify call made for a turn's session, as the upstream recorded it. */
export interface DifyCall {
  query: string;
  /** It did not complete: stopped, or the service went away from it. */
  abandoned: boolean;
}

export interface TurnScore {
  id: string;
  class: TurnClass;
  policy: Policy;
  /** From the last final before any answer to the first answer text (negative: the answer came first). */
  latencyMs?: number;
  /** The question of the answer the client got: the one its first answer text belongs to. */
  answeredQuestion?: string;
  /** That answer ran to its end. */
  answered: boolean;
  /** That answer is to the whole question. */
  whole: boolean;
  calls: number;
  /** Calls whose query is not the whole question. */
  premature: number;
  abandoned: number;
  /** The speaker's second utterance began before any answer text reached the client. */
  continuedBeforeAnswer: boolean;
  /** A backchannel was said before the answer ended (so it could have interrupted it). */
  backchannelMidAnswer: boolean;
  /** What the CI gate fails on: a lost answer, a wrongly joined question, small talk sent, a backchannel interrupting. */
  failures: string[];
}

export function scoreTurn(turn: Turn, policy: Policy, seen: Observation, calls: DifyCall[]): TurnScore {
  const got = firstAnswered(seen);
  const finals = turn.events.flatMap((event, i) => (event.isFinal && !event.afterAnswer ? [seen.sentAt[i]] : []));
  const lastFinal = finals.at(-1);
  const next = turn.events.findIndex((event) => event.isFinal) + 1;
  const continuedAt = turn.events[next]?.afterAnswer ? undefined : seen.sentAt[next];
  const backchannelAt = seen.sentAt[turn.events.findIndex((event) => event.afterAnswer)];
  const answered = got?.finishReason === 'complete';
  const whole = answered && got?.question === turn.question;
  const score: TurnScore = {
    id: turn.id,
    class: turn.class,
    policy,
    latencyMs: got?.firstTextAt !== undefined && lastFinal !== undefined ? round(got.firstTextAt - lastFinal, 1) : undefined,
    answeredQuestion: got?.question,
    answered,
    whole,
    calls: calls.length,
    premature: calls.filter((call) => call.query !== turn.question).length,
    abandoned: calls.filter((call) => call.abandoned).length,
    continuedBeforeAnswer: continuedAt !== undefined && (got?.firstTextAt === undefined || continuedAt < got.firstTextAt),
    backchannelMidAnswer: backchannelAt !== undefined && got?.endedAt !== undefined && backchannelAt < got.endedAt,
    failures: [],
  };
  score.failures = failures(turn, score, seen);
  return score;
}

/** The answer whose text reached the client first. */
function firstAnswered(seen: Observation): AnswerSeen | undefined {
  const withText = Object.values(seen.answers).filter((answer) => answer.firstTextAt !== undefined);
  return withText.sort((a, b) => a.firstTextAt! - b.firstTextAt!)[0];
}

/**
 * A continuation is judged only under adaptive and only when it came before any answer text: under
 * fixed one after the wait is legitimately a new final, and once text has reached the client neither
 * policy takes it back.
 */
function failures(turn: Turn, score: TurnScore, seen: Observation): string[] {
  const found: string[] = [];
  if (turn.question !== undefined && !score.answered) found.push('lost: no answer ran to its end');
  const judged = turn.class === 'lead-in' || (turn.class === 'continuation' && score.policy === 'adaptive' && score.continuedBeforeAnswer);
  if (judged && score.answered && !score.whole) found.push(`wrongly joined: answered "${score.answeredQuestion}", not "${turn.question}"`);
  if (turn.class === 'small-talk' && score.calls > 0) found.push('small talk sent to Dify');
  if (turn.class === 'backchannel' && seen.interrupting) found.push('the backchannel interrupted the answer');
  return found;
}

export interface ClassFigures {
  turns: number;
  latencyMs: { n: number; p50: number; p95: number };
  /** Turns whose answer is to the whole question, % (NaN for small talk). */
  wholePct: number;
  premature: number;
  abandoned: number;
  /** Dify calls per turn: per question, as every other class asks one (small talk should make none). */
  callsPerQuestion: number;
  /** Backchannels said before their answer ended (the rest could not have interrupted anything). */
  backchannelsMidAnswer?: number;
  failures: number;
}

export interface PolicyFigures {
  classes: Record<TurnClass, ClassFigures>;
  questions: number;
  abandoned: number;
  /** Abandoned calls as % of all questions. */
  abandonedPct: number;
}

export function summarise(scores: TurnScore[]): Record<Policy, PolicyFigures> {
  const byPolicy = (policy: Policy): PolicyFigures => {
    const mine = scores.filter((score) => score.policy === policy);
    const classes = Object.fromEntries(CLASSES.map((cls) => [cls, classFigures(mine.filter((score) => score.class === cls))]));
    const questions = mine.filter((score) => score.class !== 'small-talk').length;
    const abandoned = sum(mine, (score) => score.abandoned);
    return { classes: classes as Record<TurnClass, ClassFigures>, questions, abandoned, abandonedPct: pct(abandoned, questions) };
  };
  return { fixed: byPolicy('fixed'), adaptive: byPolicy('adaptive') };
}

function classFigures(scores: TurnScore[]): ClassFigures {
  const latencies = scores.flatMap((score) => (score.latencyMs === undefined ? [] : [score.latencyMs]));
  const asks = scores[0]?.class !== 'small-talk';
  return {
    turns: scores.length,
    latencyMs: { n: latencies.length, p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95) },
    wholePct: asks ? pct(scores.filter((score) => score.whole).length, scores.length) : NaN,
    premature: sum(scores, (score) => score.premature),
    abandoned: sum(scores, (score) => score.abandoned),
    callsPerQuestion: round(sum(scores, (score) => score.calls) / scores.length, 2),
    ...(scores[0]?.class === 'backchannel' ? { backchannelsMidAnswer: scores.filter((score) => score.backchannelMidAnswer).length } : {}),
    failures: scores.filter((score) => score.failures.length > 0).length,
  };
}

export interface Goal {
  name: string;
  target: string;
  value: number;
  met: boolean;
}

/** Issue 13's goals for the adaptive policy, printed beside both policies' figures. */
export function goals(figures: PolicyFigures, firstTokenMs: number): Goal[] {
  const { complete, continuation } = figures.classes;
  const at = (name: string, target: string, value: number, met: boolean): Goal => ({ name, target, value, met });
  return [
    at('complete questions p50, ms', `≤ ${firstTokenMs + 100}`, complete.latencyMs.p50, complete.latencyMs.p50 <= firstTokenMs + 100),
    at('complete questions p95, ms', `≤ ${firstTokenMs + 250}`, complete.latencyMs.p95, complete.latencyMs.p95 <= firstTokenMs + 250),
    at('continuation turns answered whole, %', '≥ 97', continuation.wholePct, continuation.wholePct >= 97),
    at('abandoned calls, % of all questions', '≤ 10', figures.abandonedPct, figures.abandonedPct <= 10),
  ];
}

const sum = (scores: TurnScore[], of: (score: TurnScore) => number) => scores.reduce((total, score) => total + of(score), 0);
const pct = (part: number, whole: number) => round((100 * part) / whole, 1);
