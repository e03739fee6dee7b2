import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { RedisSessionStore, SessionStore } from '../session';

/** With sessions in Redis, ready only while Redis answers; the in-memory store is always ready. */
@Injectable()
export class SessionStoreHealthIndicator {
  constructor(
    private readonly indicator: HealthIndicatorService,
    private readonly sessions: SessionStore,
  ) {}

  async check(key = 'sessions'): Promise<HealthIndicatorResult> {
    const result = this.indicator.check(key);
    if (!(this.sessions instanceof RedisSessionStore)) return result.up({ store: 'memory' });
    return (await this.sessions.ping()) ? result.up({ store: 'redis' }) : result.down({ store: 'redis', reason: 'Redis does not answer' });
  }
}
