import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { ShutdownState } from '../lifecycle';
import { DifyHealthIndicator } from './dify.health';
import { HealthCheckResponseDto } from './health-check.dto';
import { SessionStoreHealthIndicator } from './session-store.health';

@ApiTags('health')
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
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ summary: 'Liveness', description: 'The process can serve. Makes no upstream call: a liveness probe.' })
  @ApiOkResponse({ description: 'The process serves.', type: HealthCheckResponseDto })
  live() {
    return this.health.check([]);
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
