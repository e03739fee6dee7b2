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
  @Max(30 * 24 * 3600)
  BATCH_RESULT_TTL_SECONDS: number = 86_400;
}

export interface BatchConfig {
  /** Items of batch tasks answered at once by this instance. */
  concurrency: number;
  /** A finished task and its results are kept this long. */
  resultTtlMs: number;
}

export const batchConfig = registerAs('batch', (): BatchConfig => {
  const env = validateEnv(process.env, BatchEnv);
  return { concurrency: env.BATCH_CONCURRENCY, resultTtlMs: env.BATCH_RESULT_TTL_SECONDS * 1000 };
});
