import { registerAs } from '@nestjs/config';
import { IsInt, IsJSON, IsOptional, IsString, IsUrl, Max, Min } from 'class-validator';
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

  @IsOptional()
  @IsString()
  NODE_ENV?: string;
}

export interface DifyConfig {
  /** Unset means: use the embedded local Dify-compatible server (never in production). */
  apiKey?: string;
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
  /** The app's input variables, sent as `inputs` with every query. */
  inputs: Record<string, unknown>;
  /** Longest single stream event accepted from Dify; a longer one fails the answer (UPSTREAM_EVENT_TOO_LARGE). */
  maxEventChars: number;
}

export const difyConfig = registerAs('dify', (): DifyConfig => {
  const env = validateEnv(process.env, DifyEnv);
  if (!env.DIFY_API_KEY && env.NODE_ENV === 'production') {
    throw new Error(
      'Invalid configuration:\n  DIFY_API_KEY: required when NODE_ENV=production ' +
        '(the embedded local Dify server is for development only)',
    );
  }
  if (hasCredentials(env.DIFY_BASE_URL)) {
    // The HTTP client would send them as Basic authorization in place of the key's Bearer: every call would get 401.
    throw new Error(
      'Invalid configuration:\n  DIFY_BASE_URL: must not carry credentials (user:password@): Dify is called with DIFY_API_KEY',
    );
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

function hasCredentials(url: string): boolean {
  try {
    const { username, password } = new URL(url);
    return username !== '' || password !== '';
  } catch {
    return false;
  }
}
