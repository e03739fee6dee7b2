import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DifyModule } from '../dify';
import { DifyHealthIndicator } from './dify.health';
import { HealthController } from './health.controller';

@Module({
  imports: [TerminusModule, DifyModule],
  controllers: [HealthController],
  providers: [DifyHealthIndicator],
})
export class HealthModule {}
