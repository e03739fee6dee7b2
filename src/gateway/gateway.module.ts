import { Module } from '@nestjs/common';
import { ConversationModule } from '../conversation';
import { Connections } from './connections';
import { RateLimitGuard } from './rate-limit.guard';
import { RealtimeGateway } from './realtime.gateway';

@Module({
  imports: [ConversationModule],
  providers: [RealtimeGateway, Connections, RateLimitGuard],
})
export class GatewayModule {}
