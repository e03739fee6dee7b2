export { InboundDispatch } from './inbound-dispatch';
export { GatewayModule } from './gateway.module';
export { RealtimeWsAdapter } from './realtime-ws.adapter';
export { connectionApp, requestedApp } from './connection-app';
