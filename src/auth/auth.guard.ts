import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { Authenticator } from './authenticator';
import { setRequestPrincipal } from './request-principal';

/**
 * Authenticates an HTTP request with the same Authenticator as a WebSocket upgrade, before its
 * body is read or validated; the principal is then on the request (requestPrincipal).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(private readonly authenticator: Authenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<IncomingMessage>();
    const authentication = await this.authenticator.authenticate(request);
    if ('refused' in authentication) {
      throw new UnauthorizedException(
        `${authentication.refused}: present one of AUTH_TOKENS or a signed token (JWT) as a Bearer token or ?token=`,
      );
    }
    setRequestPrincipal(request, authentication.principal);
    return true;
  }
}
