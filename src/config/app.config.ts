import { LogLevel } from '@nestjs/common';
import { registerAs } from '@nestjs/config';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { validateEnv } from './validate-env';

class AppEnv {
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 8000;

  @IsOptional()
  @IsString()
  HOST: string = '0.0.0.0';

  @IsOptional()
  @Matches(/^\/[\w\-./]*$/, { message: 'WS_PATH must be a URL path starting with /' })
  WS_PATH: string = '/ws/realtime-asr';

  @IsOptional()
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: string = 'development';

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: string = 'log';

  @IsOptional()
  @IsIn(['json', 'pretty'])
  LOG_FORMAT?: string;

  @IsOptional()
  @IsInt()
  @Min(1024)
  @Max(16 * 1024 * 1024)
  MAX_FRAME_BYTES: number = 64 * 1024;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  MAX_TEXT_CHARS: number = 4000;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  SHUTDOWN_GRACE_MS: number = 10_000;

  @IsOptional()
  @IsIn(['true', 'false'], { message: 'DEMO_PAGE must be true or false' })
  DEMO_PAGE: string = 'true';
}

export interface AppConfig {
  port: number;
  host: string;
  wsPath: string;
  production: boolean;
  logLevel: LogLevel;
  /** One JSON object per line, or one human line per event; LOG_FORMAT unset: pretty on a terminal in development. */
  logFormat: 'json' | 'pretty';
  /** Largest inbound WebSocket frame; bigger ones close the socket with 1009. */
  maxFrameBytes: number;
  /** Longest `text` accepted in one asr_chunk. */
  maxTextChars: number;
  /** On SIGTERM, how long answers in flight may take to finish before they are stopped. */
  shutdownGraceMs: number;
  /** Serve the demo page at `/`. */
  demoPage: boolean;
}

export const appConfig = registerAs('app', (): AppConfig => {
  const env = validateEnv(process.env, AppEnv);
  return {
    port: env.PORT,
    host: env.HOST,
    wsPath: env.WS_PATH,
    production: env.NODE_ENV === 'production',
    logLevel: env.LOG_LEVEL as LogLevel,
    logFormat: (env.LOG_FORMAT ?? (process.stdout.isTTY && env.NODE_ENV === 'development' ? 'pretty' : 'json')) as AppConfig['logFormat'],
    maxFrameBytes: env.MAX_FRAME_BYTES,
    maxTextChars: env.MAX_TEXT_CHARS,
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
    demoPage: env.DEMO_PAGE === 'true',
  };
});
