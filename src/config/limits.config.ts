import { registerAs } from '@nestjs/config';
import { IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { authConfig } from './auth.config';
import { validateEnv } from './validate-env';

class LimitsEnv {
  @IsOptional()
  @IsNumber()
  @Min(0.1)
  @Max(10_000)
  RATE_LIMIT_PER_SECOND: number = 50;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  RATE_LIMIT_BURST: number = 100;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  MAX_CONNECTIONS_PER_IP: number = 100;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10)
  TRUST_PROXY_HOPS: number = 0;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  MAX_CONCURRENT_ANSWERS: number = 200;

  /** Unset: a quarter of MAX_CONCURRENT_ANSWERS (rounded up), or all of it without authentication. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  MAX_CONCURRENT_ANSWERS_PER_PRINCIPAL?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  /** Unset: 1000, or no cap without authentication. */
  MAX_CONNECTIONS_PER_PRINCIPAL?: number;

  @IsOptional()
  @IsNumber()
  @Min(0.01)
  @Max(1)
  BATCH_MAX_SHARE: number = 0.5;

  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(100_000_000)
  MAX_ANSWER_CHARS: number = 100_000;

  @IsOptional()
  @IsInt()
  @Min(50)
  @Max(3_600_000)
  HEARTBEAT_INTERVAL_MS: number = 30_000;

  @IsOptional()
  @IsInt()
  @Min(1024)
  @Max(1024 * 1024 * 1024)
  SEND_HIGH_WATER_BYTES: number = 64 * 1024;

  @IsOptional()
  @IsInt()
  @Min(1024)
  @Max(1024 * 1024 * 1024)
  SEND_HARD_LIMIT_BYTES: number = 1024 * 1024;

  @IsOptional()
  @IsInt()
  @Min(64)
  @Max(1024 * 1024)
  SEND_CHUNK_MAX_CHARS: number = 8192;
}

export interface LimitsConfig {
  /** Messages a connection may send per second, on average (token bucket refill). */
  ratePerSecond: number;
  /** Messages a connection may send at once (bucket size); as many refused in a row close it with 1008. */
  rateBurst: number;
  /** Open WebSockets per client IP; more are refused with HTTP 429. */
  maxConnectionsPerIp: number;
  /** Proxies in front whose X-Forwarded-For names the client IP (0: the TCP peer is the client). */
  trustProxyHops: number;
  /**
   * Answers streaming from Dify at once across the process, each counted until its upstream
   * connections have closed (a cancelled one's too); more get SERVER_BUSY.
   */
  maxConcurrentAnswers: number;
  /** Of them, one principal's at most (batch items included): a busy principal leaves room for the others. */
  maxConcurrentAnswersPerPrincipal: number;
  /** Open WebSockets per principal on this instance; more are refused with HTTP 429. */
  maxConnectionsPerPrincipal: number;
  /** The share of MAX_CONCURRENT_ANSWERS batch items may hold (at least one slot): live callers always find room. */
  batchMaxShare: number;
  /** An answer's text, in code points, at most: a longer one ends there (finish_reason `length`) and is stopped upstream. */
  maxAnswerChars: number;
  /** Every socket is pinged this often; one that has not answered the previous ping is dropped. */
  heartbeatIntervalMs: number;
  /** A socket with more buffered than this gets answer chunks merged instead of queued one by one. */
  sendHighWaterBytes: number;
  /** A socket with more buffered and waiting than this, beyond its largest single message, is closed with 1013. */
  sendHardLimitBytes: number;
  /** No answer chunk carries more text than this; a bigger piece from Dify goes as several chunks. */
  sendChunkMaxChars: number;
}

export const limitsConfig = registerAs('limits', (): LimitsConfig => {
  const env = validateEnv(process.env, LimitsEnv);
  // Without authentication (no static tokens, no signed ones) every client is one principal
  // (anonymous): a share would cap the whole instance, so unless set the per-principal limits are the instance's.
  const { tokens, jwt } = authConfig();
  const open = tokens.length === 0 && !jwt.secret && !jwt.jwksUrl;
  return {
    ratePerSecond: env.RATE_LIMIT_PER_SECOND,
    rateBurst: env.RATE_LIMIT_BURST,
    maxConnectionsPerIp: env.MAX_CONNECTIONS_PER_IP,
    trustProxyHops: env.TRUST_PROXY_HOPS,
    maxConcurrentAnswers: env.MAX_CONCURRENT_ANSWERS,
    maxConcurrentAnswersPerPrincipal:
      env.MAX_CONCURRENT_ANSWERS_PER_PRINCIPAL ?? (open ? env.MAX_CONCURRENT_ANSWERS : Math.ceil(env.MAX_CONCURRENT_ANSWERS / 4)),
    maxConnectionsPerPrincipal: env.MAX_CONNECTIONS_PER_PRINCIPAL ?? (open ? Infinity : 1000),
    batchMaxShare: env.BATCH_MAX_SHARE,
    maxAnswerChars: env.MAX_ANSWER_CHARS,
    heartbeatIntervalMs: env.HEARTBEAT_INTERVAL_MS,
    sendHighWaterBytes: env.SEND_HIGH_WATER_BYTES,
    sendHardLimitBytes: env.SEND_HARD_LIMIT_BYTES,
    sendChunkMaxChars: env.SEND_CHUNK_MAX_CHARS,
  };
});
