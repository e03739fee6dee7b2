import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { RedisConnectionConfig, redisConnectionConfig, RedisEnv } from './redis-env';
import { validateEnv } from './validate-env';

class SessionEnv extends RedisEnv {
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(30 * 24 * 3600)
  SESSION_TTL_SECONDS: number = 3600;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  SESSION_MAX: number = 10_000;

  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(60_000)
  REDIS_COMMAND_TIMEOUT_MS: number = 1000;

  @IsOptional()
  @IsInt()
  @Min(5)
  @Max(5000)
  REDIS_CLUSTER_FOLLOW_POLL_MS: number = 50;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  REDIS_ANSWER_LOG_FLUSH_MS: number = 50;

  @IsOptional()
  @IsInt()
  @Min(64)
  @Max(1024 * 1024)
  MAX_INPUTS_BYTES: number = 16 * 1024;
}

export interface SessionConfig {
  /** A session unused this long forgets its Dify conversation. */
  ttlMs: number;
  /** The oldest sessions are forgotten beyond this many (in memory; Redis has its own limits). */
  maxSessions: number;
  /** Sessions in Redis, shared by every instance, instead of this process's memory (standalone, Cluster or Sentinel). */
  redis?: RedisConnectionConfig;
  /** Every Redis command (and the readiness ping) fails after this long without an answer. */
  commandTimeoutMs: number;
  /**
   * On a Redis Cluster, how often each answer followed from another instance is read (one XREAD cannot
   * span hash slots, so there is no one blocking read over them all): the latency a follower pays there.
   */
  clusterFollowPollMs: number;
  /**
   * How long an answer-log write waits for others to go to Redis with it (0: the rest of its
   * event-loop turn): the most, about, that another instance's follower of the answer gets it later.
   */
  answerLogFlushMs: number;
  /**
   * Largest `hello{inputs}` a session keeps, as the UTF-8 size of its JSON, whatever max_length the
   * Dify app's form gives or omits: with SESSION_MAX it bounds what sessions hold.
   */
  maxInputsBytes: number;
}

export const sessionConfig = registerAs('session', (): SessionConfig => {
  const env = validateEnv(process.env, SessionEnv);
  return {
    ttlMs: env.SESSION_TTL_SECONDS * 1000,
    maxSessions: env.SESSION_MAX,
    redis: redisConnectionConfig(env),
    commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
    clusterFollowPollMs: env.REDIS_CLUSTER_FOLLOW_POLL_MS,
    answerLogFlushMs: env.REDIS_ANSWER_LOG_FLUSH_MS,
    maxInputsBytes: env.MAX_INPUTS_BYTES,
  };
});
