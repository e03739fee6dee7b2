export { AsrChunkFastPath } from './asr-chunk-fast-path';
export { GatewayModule } from './gateway.module';
export { RealtimeWsAdapter } from './realtime-ws.adapter';
