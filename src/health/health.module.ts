import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DifyModule } from '../dify';
import { UpstreamModule } from '../upstream';
import { SessionHubModule } from '../session-hub';
import { DifyHealthIndicator } from './dify.health';
import { HealthController } from './health.controller';
import { SessionStoreHealthIndicator } from './session-store.health';

@Module({
  imports: [TerminusModule, DifyModule, UpstreamModule, SessionHubModule],
  controllers: [HealthController],
  providers: [DifyHealthIndicator, SessionStoreHealthIndicator],
})
export class HealthModule {}
