import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { WebSocket } from 'ws';
import { limitsConfig } from '../config';
import { Metrics } from '../metrics';
import { wireErrors } from '../protocol';
import { TokenBucket } from './token-bucket';

interface Budget {
  /** Messages let through. */
  bucket: TokenBucket;
  /** Refusals tolerated: a burst's worth, refilled at the same rate; the one that finds none closes. */
  strikes: TokenBucket;
}

/**
 * Each connection's message rate, one token bucket per socket, taken for every message before it is
 * validated (InboundDispatch). A refused message gets RATE_LIMITED;
 * a client that keeps flooding (a burst's worth refused faster than the rate forgives them) is
 * closed with 1008. Refusals are counted by rate, not in a row: a flood the server works through
 * slower than it arrives lets a message through now and then, and must still end.
 */
@Injectable()
export class RateLimit {
  private readonly budgets = new WeakMap<WebSocket, Budget>();

  constructor(
    @Inject(limitsConfig.KEY) private readonly limits: ConfigType<typeof limitsConfig>,
    private readonly metrics: Metrics,
  ) {}

  /** Takes a token for one message from `socket`; throws RATE_LIMITED (or the flooding error, which closes) when there is none. */
  admit(socket: WebSocket): void {
    let budget = this.budgets.get(socket);
    if (!budget) {
      const { rateBurst, ratePerSecond } = this.limits;
      budget = { bucket: new TokenBucket(rateBurst, ratePerSecond), strikes: new TokenBucket(rateBurst - 1, ratePerSecond) };
      this.budgets.set(socket, budget);
    }
    if (budget.bucket.take()) return;
    this.metrics.messageRateLimited();
    const flooding = !budget.strikes.take();
    throw flooding ? wireErrors.flooding() : wireErrors.rateLimited(this.limits.ratePerSecond, this.limits.rateBurst);
  }
}
