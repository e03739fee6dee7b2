import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { ShutdownState } from '../lifecycle';
import { DifyHealthIndicator } from './dify.health';
import { SessionStoreHealthIndicator } from './session-store.health';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly dify: DifyHealthIndicator,
    private readonly shutdown: ShutdownState,
    private readonly sessions: SessionStoreHealthIndicator,
  ) {}

  /** Liveness: the process can serve. Makes no upstream call. */
  @Get()
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Readiness: Dify answers with our key, the session store answers, and we are not shutting down; 503 otherwise. */
  @Get('ready')
  @HealthCheck()
  ready() {
    if (this.shutdown.draining) throw new ServiceUnavailableException({ status: 'error', error: { shutdown: { status: 'down' } } });
    return this.health.check([() => this.dify.check(), () => this.sessions.check()]);
  }
}
