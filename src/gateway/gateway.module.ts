import { Module } from '@nestjs/common';
import { ConversationModule } from '../conversation';
import { Connections } from './connections';
import { RealtimeGateway } from './realtime.gateway';

@Module({
  imports: [ConversationModule],
  providers: [RealtimeGateway, Connections],
})
export class GatewayModule {}
