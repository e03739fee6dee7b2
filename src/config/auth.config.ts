import { registerAs } from '@nestjs/config';
import { IsOptional, Matches } from 'class-validator';
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
}

export interface AuthConfig {
  /** principal:token pairs; empty means the service runs open. */
  tokens: Array<{ principal: string; token: string }>;
  /**
   * Browser origins that may open a socket: the service's own (unset), any ('*'), or exactly these
   * (lower case). A list leaves out the own origin unless it is listed, which DNS rebinding cannot fake.
   */
  allowedOrigins: 'same-origin' | '*' | string[];
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
  return { tokens, allowedOrigins: allowedOrigins(env.ALLOWED_ORIGINS) };
});

function allowedOrigins(value: string | undefined): AuthConfig['allowedOrigins'] {
  if (value === undefined) return 'same-origin';
  if (value === '*') return '*';
  return value.split(',').map((origin) => origin.trim().toLowerCase());
}
