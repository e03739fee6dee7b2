import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { packageInfo } from '../config';
import { DifyApps } from '../dify';
import { ShutdownState } from '../lifecycle';
import { DifyHealthIndicator } from './dify.health';
import { HealthCheckResponseDto } from './health-check.dto';
import { legacyHealth, LivenessResponseDto } from './liveness';
import { SessionStoreHealthIndicator } from './session-store.health';

/** Two apps, one of them down: the instance stays ready for the other. */
const READY_APPS = {
  status: 'up',
  embedded: false,
  apps: {
    hr: { status: 'up', provider: 'dify', embedded: false },
    it: { status: 'down', provider: 'openai', embedded: false, reason: 'Cannot reach openai (ECONNREFUSED)' },
  },
};

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly difyHealth: DifyHealthIndicator,
    private readonly shutdown: ShutdownState,
    private readonly sessions: SessionStoreHealthIndicator,
    private readonly dify: DifyApps,
  ) {}

  /** Liveness: the process can serve. Makes no upstream call. Says what the Python service's /health said too. */
  @Get()
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({
    summary: 'Liveness',
    description:
      'The process can serve. Makes no upstream call: a liveness probe. The body also has the fields of the replaced Python service’s `/health` (`status: "healthy"`, `version`, `services`, …).',
  })
  @ApiOkResponse({ description: 'The process serves.', type: LivenessResponseDto })
  async live() {
    return {
      ...(await this.health.check([])),
      ...legacyHealth(
        packageInfo.version,
        this.dify.all().some(({ settings }) => settings.embedded),
      ),
    };
  }

  /**
   * Readiness: some app's Dify answers with its key, the session store can serve (Redis takes a
   * write), and we are not shutting down; 503 otherwise. `dify.apps` names each app's state.
   */
  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({
    summary: 'Readiness',
    description:
      'Some app’s Dify answers an authenticated call with the app’s key (`dify.apps` names each app’s state: one app down leaves the instance ready for the others), the session store can serve (Redis takes a write and returns it), and the instance is not shutting down: a readiness probe.',
  })
  @ApiOkResponse({
    description: 'Ready: `dify` (some app) and `sessions` are up.',
    type: HealthCheckResponseDto,
    example: {
      status: 'ok',
      info: { dify: READY_APPS, sessions: { status: 'up', store: 'memory' } },
      error: {},
      details: { dify: READY_APPS, sessions: { status: 'up', store: 'memory' } },
    },
  })
  @ApiServiceUnavailableResponse({
    description:
      'Not ready: no app’s Dify answers, or the session store is down (`error` says which and why), or the instance is draining (`shutdown`).',
    type: HealthCheckResponseDto,
    example: { status: 'error', error: { shutdown: { status: 'down' } } },
  })
  ready() {
    if (this.shutdown.draining) throw new ServiceUnavailableException({ status: 'error', error: { shutdown: { status: 'down' } } });
    return this.health.check([() => this.difyHealth.check(), () => this.sessions.check()]);
  }
}
