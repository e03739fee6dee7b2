import { Global, Logger, Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { authConfig } from '../config';
import { Authenticator } from './authenticator';
import { TokenListAuthenticator } from './token-list-authenticator';

@Global()
@Module({
  providers: [
    {
      provide: Authenticator,
      inject: [authConfig.KEY],
      useFactory: (config: ConfigType<typeof authConfig>) => {
        const authenticator = new TokenListAuthenticator(config.tokens);
        const logger = new Logger('Auth');
        if (authenticator.open) logger.warn('AUTH_TOKENS is not set: the WebSocket endpoint is OPEN to every client');
        else logger.log(`WebSocket clients must present one of ${config.tokens.length} AUTH_TOKENS`);
        return authenticator;
      },
    },
  ],
  exports: [Authenticator],
})
export class AuthModule {}
