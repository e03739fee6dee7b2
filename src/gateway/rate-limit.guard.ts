import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { RateLimit } from './rate-limit';

/** Nest's way in to the connection's RateLimit: a refused message throws, and the filter answers it. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(private readonly rateLimit: RateLimit) {}

  canActivate(context: ExecutionContext): boolean {
    this.rateLimit.admit(context.switchToWs().getClient<WebSocket>());
    return true;
  }
}
