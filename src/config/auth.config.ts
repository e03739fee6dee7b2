import { registerAs } from '@nestjs/config';
import { IsByteLength, IsInt, IsOptional, IsUrl, Matches, Max, Min } from 'class-validator';
import { validateEnv } from './validate-env';

/** scheme://host[:port], as a browser sends it in Origin: no path, no trailing slash. */
const ORIGIN = String.raw`[a-z][a-z0-9+.-]*://(\[[0-9a-f:.]+\]|[a-z0-9-]+(\.[a-z0-9-]+)*)(:\d{1,5})?`;

class AuthEnv {
  @IsOptional()
  @Matches(/^[\w.@-]+:\S{8,}(,[\w.@-]+:\S{8,})*$/, {
    message: 'AUTH_TOKENS must be a comma-separated list of principal:token pairs, each token at least 8 characters',
  })
  AUTH_TOKENS?: string;

  @IsOptional()
  @Matches(new RegExp(String.raw`^(\*|${ORIGIN}(\s*,\s*${ORIGIN})*)$`, 'i'), {
    message:
      'ALLOWED_ORIGINS must be * or a comma-separated list of origins (scheme://host[:port], no path), e.g. https://app.example.com,http://localhost:3000',
  })
  ALLOWED_ORIGINS?: string;

  @IsOptional()
  @IsByteLength(32, undefined, { message: 'AUTH_JWT_SECRET must be at least 32 bytes (e.g. openssl rand -base64 48)' })
  AUTH_JWT_SECRET?: string;

  @IsOptional()
  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['http', 'https'] },
    { message: 'AUTH_JWKS_URL must be an http(s) URL of a JSON Web Key Set' },
  )
  AUTH_JWKS_URL?: string;

  @IsOptional()
  @Matches(/^\S{1,256}$/, { message: 'AUTH_JWT_AUDIENCE must be one word (no spaces), at most 256 characters' })
  AUTH_JWT_AUDIENCE: string = 'realtime-rag';

  @IsOptional()
  @Matches(/^\S{1,256}$/, { message: 'AUTH_JWT_ISSUER must be one word (no spaces), at most 256 characters' })
  AUTH_JWT_ISSUER?: string;

  @IsInt()
  @Min(100)
  @Max(60_000)
  AUTH_JWKS_TIMEOUT_MS: number = 5000;

  @IsInt()
  @Min(0)
  @Max(3_600_000)
  AUTH_JWKS_REFETCH_COOLDOWN_MS: number = 30_000;
}

export interface AuthConfig {
  /** principal:token pairs; empty means the service runs open. */
  tokens: Array<{ principal: string; token: string }>;
  /**
   * Browser origins that may open a socket: the service's own (unset), any ('*'), or exactly these
   * (lower case). A list leaves out the own origin unless it is listed, which DNS rebinding cannot fake.
   */
  allowedOrigins: 'same-origin' | '*' | string[];
  /** Signed tokens (JWT), accepted beside `tokens` when `secret` or `jwksUrl` is set. */
  jwt: {
    secret?: string;
    jwksUrl?: string;
    audience: string;
    issuer?: string;
    jwksTimeoutMs: number;
    jwksCooldownMs: number;
  };
}

export const authConfig = registerAs('auth', (): AuthConfig => {
  const env = validateEnv(process.env, AuthEnv);
  const tokens = (env.AUTH_TOKENS ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => {
      const colon = pair.indexOf(':');
      return { principal: pair.slice(0, colon), token: pair.slice(colon + 1) };
    });
  const jwt = {
    secret: env.AUTH_JWT_SECRET,
    jwksUrl: env.AUTH_JWKS_URL,
    audience: env.AUTH_JWT_AUDIENCE,
    issuer: env.AUTH_JWT_ISSUER,
    jwksTimeoutMs: env.AUTH_JWKS_TIMEOUT_MS,
    jwksCooldownMs: env.AUTH_JWKS_REFETCH_COOLDOWN_MS,
  };
  return { tokens, allowedOrigins: allowedOrigins(env.ALLOWED_ORIGINS), jwt };
});

function allowedOrigins(value: string | undefined): AuthConfig['allowedOrigins'] {
  if (value === undefined) return 'same-origin';
  if (value === '*') return '*';
  return value.split(',').map((origin) => origin.trim().toLowerCase());
}
