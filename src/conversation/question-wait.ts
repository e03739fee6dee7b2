import { TurnConfig } from '../config';

export type WaitPolicy = Pick<TurnConfig, 'policy' | 'threshold' | 'waitMs' | 'punctuatedWaitMs' | 'sureWaitMs' | 'unsureWaitMs'>;

const QUESTION_MARK_AT_END = /[?？]\s*$/;

/**
 * How long a heard question waits for the speaker to go on before it is asked. `fixed`: waitMs, or
 * punctuatedWaitMs after ? or ？. `adaptive`: by the detector's confidence (its score above the
 * threshold, scaled to 0..1), from unsureWaitMs down to sureWaitMs; squared, so a fairly sure
 * question already waits little while one near the threshold waits nearly the most. A ? or ？ caps
 * it at punctuatedWaitMs; a question the speaker left unfinished waits waitMs as in `fixed`.
 */
export function questionWait(text: string, verdict: { score: number; unfinished: boolean }, turn: WaitPolicy): number {
  const punctuated = QUESTION_MARK_AT_END.test(text);
  if (turn.policy === 'fixed') return punctuated ? turn.punctuatedWaitMs : turn.waitMs;
  if (verdict.unfinished) return turn.waitMs;
  const confidence = turn.threshold >= 1 ? 1 : Math.min(1, Math.max(0, (verdict.score - turn.threshold) / (1 - turn.threshold)));
  const wait = Math.round(turn.sureWaitMs + (turn.unsureWaitMs - turn.sureWaitMs) * (1 - confidence) ** 2);
  return punctuated ? Math.min(wait, turn.punctuatedWaitMs) : wait;
}
