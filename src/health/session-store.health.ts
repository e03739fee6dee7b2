import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { setTimeout as sleep } from 'node:timers/promises';
import { sessionConfig } from '../config';
import { Metrics } from '../metrics';
import { SessionStore } from '../session';
import { AnswerLog } from '../session-hub';

const TIMED_OUT = 'The session store does not answer';

/**
 * Ready while the session store can serve (Redis takes a write and answers the read; the in-memory one
 * always does) and this instance hears the answers other instances announce.
 */
@Injectable()
export class SessionStoreHealthIndicator {
  constructor(
    private readonly indicator: HealthIndicatorService,
    private readonly sessions: SessionStore,
    private readonly answerLog: AnswerLog,
    @Inject(sessionConfig.KEY) private readonly config: ConfigType<typeof sessionConfig>,
    private readonly metrics: Metrics,
  ) {}

  async check(key = 'sessions'): Promise<HealthIndicatorResult> {
    const result = this.indicator.check(key);
    const store = this.sessions.kind;
    // Readiness answers within the command timeout whatever the store's client does: a probe that hangs is no probe.
    let reason = await Promise.race([this.sessions.whyUnready(), sleep(this.config.commandTimeoutMs, TIMED_OUT, { ref: false })]);
    reason ??= this.answerLog.whyUnready();
    this.metrics.dependencyChecked('sessions', reason === undefined);
    return reason === undefined ? result.up({ store }) : result.down({ store, reason });
  }
}
