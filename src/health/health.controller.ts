import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';

@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthCheckService) {}

  /** Liveness: the process can serve. Makes no upstream call. */
  @Get()
  @HealthCheck()
  live() {
    return this.health.check([]);
  }
}
