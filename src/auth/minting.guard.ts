import { CanActivate, ExecutionContext, Inject, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { IncomingMessage } from 'node:http';
import { authConfig } from '../config';
import { presentedToken } from './authenticator';
import { setRequestPrincipal } from './request-principal';
import { StaticTokens } from './static-tokens';

/**
 * Who may mint a token (POST /api/tokens): only a holder of an AUTH_TOKENS token, the service's
 * long-lived server credential; a signed token cannot mint another (nor extend its own life).
 * Before the body is validated: neither an outsider nor a deployment without a secret learns more.
 */
@Injectable()
export class MintingGuard implements CanActivate {
  constructor(
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    private readonly tokens: StaticTokens,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.config.jwt.secret) throw new NotFoundException('minting tokens needs AUTH_JWT_SECRET, which is not set');
    const request = context.switchToHttp().getRequest<IncomingMessage>();
    const presented = presentedToken(request);
    const id = presented === undefined ? undefined : this.tokens.principalOf(presented);
    if (id === undefined)
      throw new UnauthorizedException('present one of AUTH_TOKENS as a Bearer token: a signed token cannot mint another');
    setRequestPrincipal(request, { id });
    return true;
  }
}
