import { Module } from '@nestjs/common';
import { ConversationModule } from '../conversation';
import { AsrChunkFastPath } from './asr-chunk-fast-path';
import { Connections } from './connections';
import { ProtocolErrorFilter } from './protocol-error.filter';
import { RateLimit } from './rate-limit';
import { RealtimeGateway } from './realtime.gateway';

@Module({
  imports: [ConversationModule],
  providers: [RealtimeGateway, Connections, RateLimit, ProtocolErrorFilter, AsrChunkFastPath],
})
export class GatewayModule {}
