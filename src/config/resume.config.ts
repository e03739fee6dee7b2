import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { validateEnv } from './validate-env';

class ResumeEnv {
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(3600)
  RESUME_GRACE_SECONDS: number = 30;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(24 * 3600)
  ANSWER_RETENTION_SECONDS: number = 60;

  @IsOptional()
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  ANSWER_LOG_MAX_CHARS: number = 1024 * 1024;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  ANSWER_LOG_MAX_SESSIONS: number = 10_000;
}

/** How answers outlive their socket: kept streaming for a client that comes back, and resumable. */
export interface ResumeConfig {
  /** When a session's last connection goes mid-answer, the answer goes on this long; 0: stopped at once. */
  graceMs: number;
  /** A session with no connection keeps its latest answers this long, for a client that resumes. */
  retentionMs: number;
  /** An answer's text kept for resuming at most; a longer one streams on but can no longer be resumed. */
  maxLogChars: number;
  /** Sessions without a connection whose answers are kept, at most; the oldest go first. */
  maxIdleSessions: number;
}

export const resumeConfig = registerAs('resume', (): ResumeConfig => {
  const env = validateEnv(process.env, ResumeEnv);
  return {
    graceMs: env.RESUME_GRACE_SECONDS * 1000,
    retentionMs: env.ANSWER_RETENTION_SECONDS * 1000,
    maxLogChars: env.ANSWER_LOG_MAX_CHARS,
    maxIdleSessions: env.ANSWER_LOG_MAX_SESSIONS,
  };
});
