import { registerAs } from '@nestjs/config';
import { IsIn, IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { validateEnv } from './validate-env';

/** The detector's score from which an utterance is a question, unless QUESTION_THRESHOLD says otherwise. */
export const DEFAULT_QUESTION_THRESHOLD = 0.5;

class TurnEnv {
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  QUESTION_THRESHOLD: number = DEFAULT_QUESTION_THRESHOLD;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000)
  QUESTION_WAIT_MS: number = 800;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000)
  QUESTION_WAIT_MS_PUNCTUATED: number = 300;

  @IsOptional()
  @IsIn(['adaptive', 'fixed'])
  TURN_POLICY: string = 'adaptive';

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000)
  QUESTION_WAIT_MS_SURE: number = 0;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000)
  QUESTION_WAIT_MS_UNSURE: number = 350;

  @IsOptional()
  @IsIn(['interrupt', 'queue'])
  BARGE_IN: string = 'interrupt';

  @IsOptional()
  @IsIn(['close', 'reset'])
  STOP_MODE: string = 'close';

  @IsOptional()
  @IsInt()
  @Min(20)
  @Max(10_000)
  MAX_QUESTION_CHARS: number = 500;
}

/** How a session takes turns: when a heard question is asked, and what a newer one does to an answer. */
export interface TurnConfig {
  /** The detector's score from which an utterance is a question. */
  threshold: number;
  /**
   * When a heard question is asked. `fixed`: after waitMs (punctuatedWaitMs after ? or ？).
   * `adaptive`: after a wait scaled by the detector's confidence, from unsureWaitMs (a score at the
   * threshold) down to sureWaitMs (a score of 1), at most punctuatedWaitMs after ? or ？, waitMs for
   * an unfinished one; and a continuation heard before any answer text reached the client takes the
   * question back and asks the whole one.
   */
  policy: 'adaptive' | 'fixed';
  /** `fixed`: after a final that is a question, how long the speaker may go on before it is asked. Both: the wait a partial restarts (the speaker goes on). */
  waitMs: number;
  /** After a question that ends in ? or ？ (the speaker is probably done): the wait (`fixed`), the longest wait (`adaptive`). */
  punctuatedWaitMs: number;
  /** `adaptive`: the wait after a question the detector is sure of (a score of 1). */
  sureWaitMs: number;
  /** `adaptive`: the wait after a question that scores just the threshold. */
  unsureWaitMs: number;
  /** A new question while an answer streams: `interrupt` it, or `queue` the question until it ends. */
  bargeIn: 'interrupt' | 'queue';
  /**
   * What control{stop} does. `close`: a question already heard is answered and an answer in flight
   * finishes, then status{closed} and the socket closes (the protocol document). `reset`: the answer
   * in flight is cancelled (stopped upstream), the text heard but not answered is forgotten, then
   * status{idle}, and the socket stays open (the Python service's last release).
   */
  stopMode: 'close' | 'reset';
  /**
   * Longest text held, joined, scored and sent to Dify as one question: longer keeps its end, where
   * the question is. Bounds the work each final costs.
   */
  maxQuestionChars: number;
}

export const turnConfig = registerAs('turn', (): TurnConfig => {
  const env = validateEnv(process.env, TurnEnv);
  return {
    threshold: env.QUESTION_THRESHOLD,
    waitMs: env.QUESTION_WAIT_MS,
    punctuatedWaitMs: env.QUESTION_WAIT_MS_PUNCTUATED,
    policy: env.TURN_POLICY as TurnConfig['policy'],
    sureWaitMs: env.QUESTION_WAIT_MS_SURE,
    unsureWaitMs: env.QUESTION_WAIT_MS_UNSURE,
    bargeIn: env.BARGE_IN as TurnConfig['bargeIn'],
    stopMode: env.STOP_MODE as TurnConfig['stopMode'],
    maxQuestionChars: env.MAX_QUESTION_CHARS,
  };
});
