import { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { setUpApiDocs } from './api-docs';
import { Authenticator } from './auth';
import { AppConfig, AuthConfig, BatchConfig, LimitsConfig } from './config';
import { ShutdownState } from './lifecycle';
import { Metrics } from './metrics';
import { connectionApp, InboundDispatch, RealtimeWsAdapter, requestedApp } from './gateway';
import { AppRegistry } from './tenancy';

/** What main.ts and the end-to-end tests both do to an app before it listens. */
export function setUpApp(app: INestApplication): AppConfig {
  const config = app.get(ConfigService).getOrThrow<AppConfig>('app');
  const limits = app.get(ConfigService).getOrThrow<LimitsConfig>('limits');
  const auth = app.get(ConfigService).getOrThrow<AuthConfig>('auth');
  const batch = app.get(ConfigService).getOrThrow<BatchConfig>('batch');
  const authenticator = app.get(Authenticator);
  const shutdown = app.get(ShutdownState);
  const metrics = app.get(Metrics);
  const inbound = app.get(InboundDispatch);
  const apps = app.get(AppRegistry);
  app.useWebSocketAdapter(
    new RealtimeWsAdapter(app, {
      path: config.wsPath,
      maxPayload: config.maxFrameBytes,
      authenticate: (request) => authenticator.authenticate(request),
      appOf: (request, principal) => connectionApp(apps, principal, requestedApp(request)),
      allowedOrigins: auth.allowedOrigins,
      maxConnectionsPerIp: limits.maxConnectionsPerIp,
      maxConnectionsPerPrincipal: limits.maxConnectionsPerPrincipal,
      trustProxyHops: limits.trustProxyHops,
      heartbeatIntervalMs: limits.heartbeatIntervalMs,
      draining: () => shutdown.draining,
      upgradeRefused: (reason) => metrics.upgradeRefused(reason),
      frame: (socket, frame) => inbound.handle(socket, frame),
    }),
  );
  // A batch task of many long texts is over Express's 100 kB default; larger bodies get 413.
  (app as NestExpressApplication).useBodyParser('json', { limit: batch.maxBodyBytes });
  setUpApiDocs(app, config.wsPath);
  // Exit (code 0) rather than re-raise the signal once the hooks ran: only an exit lets pino write
  // the lines it still buffers, such as the disconnects logged during the shutdown itself.
  app.enableShutdownHooks([], { useProcessExit: true });
  return config;
}
