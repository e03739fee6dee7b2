import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { WebSocket } from 'ws';
import { limitsConfig } from '../config';
import { Metrics } from '../metrics';
import { ProtocolError } from '../protocol';
import { TokenBucket } from './token-bucket';

interface Budget {
  bucket: TokenBucket;
  /** Messages refused since the last one let through. */
  refusedInARow: number;
}

/**
 * Limits each connection's message rate with a token bucket. A refused message gets RATE_LIMITED;
 * a client that keeps flooding (a whole burst refused in a row) is closed with 1008.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly budgets = new WeakMap<WebSocket, Budget>();

  constructor(
    @Inject(limitsConfig.KEY) private readonly limits: ConfigType<typeof limitsConfig>,
    private readonly metrics: Metrics,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const socket = context.switchToWs().getClient<WebSocket>();
    let budget = this.budgets.get(socket);
    if (!budget) {
      budget = { bucket: new TokenBucket(this.limits.rateBurst, this.limits.ratePerSecond), refusedInARow: 0 };
      this.budgets.set(socket, budget);
    }
    if (budget.bucket.take()) {
      budget.refusedInARow = 0;
      return true;
    }
    this.metrics.messageRateLimited();
    const flooding = ++budget.refusedInARow >= this.limits.rateBurst;
    throw new ProtocolError(
      'RATE_LIMITED',
      flooding
        ? 'Message rate limit exceeded again and again: closing the connection.'
        : `Too many messages: at most ${this.limits.ratePerSecond} per second (bursts of ${this.limits.rateBurst}); this one was dropped.`,
      { retryable: true },
      flooding ? 1008 : undefined,
    );
  }
}
