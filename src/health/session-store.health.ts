import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { setTimeout as sleep } from 'node:timers/promises';
import { sessionConfig } from '../config';
import { RedisSessionStore, SessionStore } from '../session';

/** With sessions in Redis, ready only while Redis answers; the in-memory store is always ready. */
@Injectable()
export class SessionStoreHealthIndicator {
  constructor(
    private readonly indicator: HealthIndicatorService,
    private readonly sessions: SessionStore,
    @Inject(sessionConfig.KEY) private readonly config: ConfigType<typeof sessionConfig>,
  ) {}

  async check(key = 'sessions'): Promise<HealthIndicatorResult> {
    const result = this.indicator.check(key);
    if (!(this.sessions instanceof RedisSessionStore)) return result.up({ store: 'memory' });
    // Readiness answers within the command timeout whatever the store's client does: a probe that hangs is no probe.
    const answered = await Promise.race([this.sessions.ping(), sleep(this.config.commandTimeoutMs, false, { ref: false })]);
    return answered ? result.up({ store: 'redis' }) : result.down({ store: 'redis', reason: 'Redis does not answer' });
  }
}
