import { registerAs } from '@nestjs/config';
import { IsOptional, Matches } from 'class-validator';
import { validateEnv } from './validate-env';

class AuthEnv {
  @IsOptional()
  @Matches(/^[\w.@-]+:\S{8,}(,[\w.@-]+:\S{8,})*$/, {
    message: 'AUTH_TOKENS must be a comma-separated list of principal:token pairs, each token at least 8 characters',
  })
  AUTH_TOKENS?: string;
}

export interface AuthConfig {
  /** principal:token pairs; empty means the service runs open. */
  tokens: Array<{ principal: string; token: string }>;
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
  return { tokens };
});
