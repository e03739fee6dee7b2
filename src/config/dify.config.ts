import { registerAs } from '@nestjs/config';
import { IsInt, IsJSON, IsOptional, IsString, IsUrl, Max, Min } from 'class-validator';
import { baseUrlProblem, invalid } from './app-entries';
import { validateEnv } from './validate-env';

class DifyEnv {
  @IsOptional()
  @IsString()
  DIFY_API_KEY?: string;

  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  DIFY_BASE_URL: string = 'https://api.dify.ai/v1';

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3600)
  DIFY_TIMEOUT: number = 60;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3600)
  DIFY_FIRST_TOKEN_TIMEOUT?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(24 * 3600)
  DIFY_TOTAL_TIMEOUT: number = 600;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10)
  DIFY_RETRIES: number = 2;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(60_000)
  DIFY_RETRY_BASE_MS: number = 250;

  @IsOptional()
  @IsJSON()
  DIFY_INPUTS: string = '{}';

  @IsOptional()
  @IsInt()
  @Min(64 * 1024)
  @Max(256 * 1024 * 1024)
  DIFY_MAX_EVENT_CHARS: number = 8 * 1024 * 1024;
}

export interface DifyConfig {
  /** The `default` app's key without APPS; unset means: use the embedded local Dify-compatible server (never in production). */
  apiKey?: string;
  /** The `default` app's Dify without APPS, and the base URL of an app in APPS that names none. */
  baseUrl: string;
  /** Longest wait for response headers and between two answer events (pings do not count). */
  timeoutMs: number;
  /** Longest wait from the request to the first piece of answer text. */
  firstTokenTimeoutMs: number;
  /** Longest a whole answer may take. */
  totalTimeoutMs: number;
  /** Retries of a failed call (429, 5xx, connection errors) before any answer text arrived. */
  retries: number;
  /** The first retry's delay; each next one doubles it (with jitter). */
  retryBaseMs: number;
  /** The `default` app's input variables without APPS, sent as `inputs` with every query. */
  inputs: Record<string, unknown>;
  /** Longest single stream event accepted from Dify; a longer one fails the answer (UPSTREAM_EVENT_TOO_LARGE). */
  maxEventChars: number;
}

export const difyConfig = registerAs('dify', (): DifyConfig => {
  // Whether DIFY_API_KEY is required (in production, unless APPS names the apps) is apps.config's call.
  const env = validateEnv(process.env, DifyEnv);
  if (baseUrlProblem(env.DIFY_BASE_URL)) {
    throw invalid(['DIFY_BASE_URL: must not carry credentials (user:password@): Dify is called with DIFY_API_KEY']);
  }
  const inputs: unknown = JSON.parse(env.DIFY_INPUTS);
  if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
    throw new Error('Invalid configuration:\n  DIFY_INPUTS: must be a JSON object, e.g. {"lang":"en"}');
  }
  return {
    apiKey: env.DIFY_API_KEY,
    baseUrl: env.DIFY_BASE_URL.replace(/\/+$/, ''),
    timeoutMs: env.DIFY_TIMEOUT * 1000,
    firstTokenTimeoutMs: (env.DIFY_FIRST_TOKEN_TIMEOUT ?? env.DIFY_TIMEOUT) * 1000,
    totalTimeoutMs: env.DIFY_TOTAL_TIMEOUT * 1000,
    retries: env.DIFY_RETRIES,
    retryBaseMs: env.DIFY_RETRY_BASE_MS,
    inputs: inputs as Record<string, unknown>,
    maxEventChars: env.DIFY_MAX_EVENT_CHARS,
  };
});
