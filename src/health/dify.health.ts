import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { firstValueFrom } from 'rxjs';
import { DifyClient, DifyConnection } from '../dify';

/** Dify is ready when it answers an authenticated call with our key. */
@Injectable()
export class DifyHealthIndicator {
  constructor(
    private readonly indicator: HealthIndicatorService,
    private readonly dify: DifyClient,
    private readonly connection: DifyConnection,
  ) {}

  async check(key = 'dify'): Promise<HealthIndicatorResult> {
    const result = this.indicator.check(key);
    const embedded = this.connection.embedded;
    try {
      await firstValueFrom(this.dify.probe());
      return result.up({ embedded });
    } catch (error) {
      return result.down({ embedded, reason: error instanceof Error ? error.message : 'unreachable' });
    }
  }
}
