import { Module } from '@nestjs/common';
import { BatchModule } from '../batch';
import { ConversationModule } from '../conversation';
import { BatchProgressPush } from './batch-progress-push';
import { AsrChunkFastPath } from './asr-chunk-fast-path';
import { Connections } from './connections';
import { ProtocolErrorFilter } from './protocol-error.filter';
import { RateLimit } from './rate-limit';
import { RealtimeGateway } from './realtime.gateway';

@Module({
  imports: [ConversationModule, BatchModule],
  providers: [RealtimeGateway, Connections, RateLimit, ProtocolErrorFilter, AsrChunkFastPath, BatchProgressPush],
})
export class GatewayModule {}
