import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { packageInfo } from '../config';
import { DifySettings } from '../dify';
import { ShutdownState } from '../lifecycle';
import { DifyHealthIndicator } from './dify.health';
import { HealthCheckResponseDto } from './health-check.dto';
import { legacyHealth, LivenessResponseDto } from './liveness';
import { SessionStoreHealthIndicator } from './session-store.health';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly dify: DifyHealthIndicator,
    private readonly shutdown: ShutdownState,
    private readonly sessions: SessionStoreHealthIndicator,
    private readonly settings: DifySettings,
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
    return { ...(await this.health.check([])), ...legacyHealth(packageInfo.version, this.settings.embedded) };
  }

  /** Readiness: Dify answers with our key, the session store can serve (Redis takes a write), and we are not shutting down; 503 otherwise. */
  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({
    summary: 'Readiness',
    description:
      'Dify answers an authenticated call with our key, the session store can serve (Redis takes a write and returns it), and the instance is not shutting down: a readiness probe.',
  })
  @ApiOkResponse({
    description: 'Ready: `dify` and `sessions` are up.',
    type: HealthCheckResponseDto,
    example: {
      status: 'ok',
      info: { dify: { status: 'up', embedded: false }, sessions: { status: 'up', store: 'memory' } },
      error: {},
      details: { dify: { status: 'up', embedded: false }, sessions: { status: 'up', store: 'memory' } },
    },
  })
  @ApiServiceUnavailableResponse({
    description: 'Not ready: Dify or the session store is down (`error` says which and why), or the instance is draining (`shutdown`).',
    type: HealthCheckResponseDto,
    example: { status: 'error', error: { shutdown: { status: 'down' } } },
  })
  ready() {
    if (this.shutdown.draining) throw new ServiceUnavailableException({ status: 'error', error: { shutdown: { status: 'down' } } });
    return this.health.check([() => this.dify.check(), () => this.sessions.check()]);
  }
}
