import { Module } from '@nestjs/common';
import { BatchModule } from '../batch';
import { ConversationModule } from '../conversation';
import { TenancyModule } from '../tenancy';
import { BatchProgressPush } from './batch-progress-push';
import { Connections } from './connections';
import { InboundDispatch } from './inbound-dispatch';
import { ProtocolErrorFilter } from './protocol-error.filter';
import { RateLimit } from './rate-limit';
import { RealtimeGateway } from './realtime.gateway';

@Module({
  imports: [ConversationModule, BatchModule, TenancyModule],
  providers: [RealtimeGateway, Connections, RateLimit, ProtocolErrorFilter, InboundDispatch, BatchProgressPush],
})
export class GatewayModule {}
