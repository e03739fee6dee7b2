import { Global, Logger, Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { authConfig } from '../config';
import { AuthGuard } from './auth.guard';
import { Authenticator } from './authenticator';
import { JwtVerifier } from './jwt-verifier';
import { MintingGuard } from './minting.guard';
import { StaticTokens } from './static-tokens';
import { TokenAuthenticator } from './token-authenticator';
import { TokensController } from './tokens.controller';

@Global()
@Module({
  controllers: [TokensController],
  providers: [
    {
      provide: StaticTokens,
      inject: [authConfig.KEY],
      useFactory: (config: ConfigType<typeof authConfig>) => new StaticTokens(config.tokens),
    },
    {
      provide: Authenticator,
      inject: [authConfig.KEY, StaticTokens],
      useFactory: (config: ConfigType<typeof authConfig>, tokens: StaticTokens) => {
        const { jwt } = config;
        const verifier = jwt.secret || jwt.jwksUrl ? new JwtVerifier(jwt) : undefined;
        const authenticator = new TokenAuthenticator(tokens, verifier);
        const logger = new Logger('Auth');
        if (authenticator.open) {
          logger.warn(
            'AUTH_TOKENS is not set: the WebSocket endpoint is OPEN to every client (and so is the batch API; set AUTH_TOKENS, AUTH_JWT_SECRET or AUTH_JWKS_URL)',
          );
        } else {
          const accepted = [
            config.tokens.length > 0 && `one of ${config.tokens.length} AUTH_TOKENS`,
            jwt.secret && 'an HS256 token signed with AUTH_JWT_SECRET',
            jwt.jwksUrl && 'a token signed with a key of AUTH_JWKS_URL',
          ].filter(Boolean);
          logger.log(`Clients must present ${accepted.join(', or ')}${verifier ? ` (audience ${jwt.audience})` : ''}`);
        }
        return authenticator;
      },
    },
    AuthGuard,
    MintingGuard,
  ],
  exports: [Authenticator, AuthGuard],
})
export class AuthModule {}
