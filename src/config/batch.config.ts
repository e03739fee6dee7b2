import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { validateEnv } from './validate-env';

class BatchEnv {
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  BATCH_CONCURRENCY: number = 4;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  BATCH_RATE_PER_SECOND: number = 20;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(20)
  BATCH_ATTEMPTS: number = 5;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(600_000)
  BATCH_RETRY_DELAY_MS: number = 2000;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  BATCH_MAX_OPEN_TASKS: number = 10;

  @IsOptional()
  @IsInt()
  @Min(1024)
  @Max(1024 * 1024 * 1024)
  BATCH_MAX_BODY_BYTES: number = 16 * 1024 * 1024;

  @IsOptional()
  @IsInt()
  @Min(2)
  @Max(1024 * 1024)
  BATCH_MAX_OPTIONS_BYTES: number = 16 * 1024;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(30 * 24 * 3600)
  BATCH_RESULT_TTL_SECONDS: number = 86_400;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  BATCH_MAX_EVENT_STREAMS_PER_PRINCIPAL: number = 20;
}

export interface BatchConfig {
  /** Items of batch tasks answered at once by this instance. */
  concurrency: number;
  /** Items started per second, over every instance sharing the queue: what the Dify app is asked at most. */
  ratePerSecond: number;
  /** Tries an item gets when Dify is rate limited, busy or unreachable, before it counts as failed. */
  attempts: number;
  /** The wait before the first retry, doubled for each next one. */
  retryDelayMs: number;
  /** Tasks one principal may have pending or running at once. */
  maxOpenTasks: number;
  /** The largest request body the HTTP API takes (a task of many long texts). */
  maxBodyBytes: number;
  /** The largest `options` of a task, as JSON: kept with the task and shown in every view of it. */
  maxOptionsBytes: number;
  /** A finished task and its results are kept this long. */
  resultTtlMs: number;
  /** Task event streams (SSE) one principal may have open at once on this instance. */
  maxEventStreams: number;
}

export const batchConfig = registerAs('batch', (): BatchConfig => {
  const env = validateEnv(process.env, BatchEnv);
  return {
    concurrency: env.BATCH_CONCURRENCY,
    ratePerSecond: env.BATCH_RATE_PER_SECOND,
    attempts: env.BATCH_ATTEMPTS,
    retryDelayMs: env.BATCH_RETRY_DELAY_MS,
    maxOpenTasks: env.BATCH_MAX_OPEN_TASKS,
    maxBodyBytes: env.BATCH_MAX_BODY_BYTES,
    maxOptionsBytes: env.BATCH_MAX_OPTIONS_BYTES,
    resultTtlMs: env.BATCH_RESULT_TTL_SECONDS * 1000,
    maxEventStreams: env.BATCH_MAX_EVENT_STREAMS_PER_PRINCIPAL,
  };
});
