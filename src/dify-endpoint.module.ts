import { Global, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { AppsConfig, appsConfig } from './config';
import { DifyEndpoint, DifyEndpoints } from './dify';
import { EmbeddedDify } from './embedded-dify';
import { ShutdownSequence } from './lifecycle';
import { redactedUrl } from './logging';

/** Each app's endpoint; the embedded server among them (at most one: the `default` app without a key) starts with the app (it closes in the shutdown's close phase). */
class AppEndpoints implements DifyEndpoints, OnApplicationBootstrap {
  constructor(readonly byApp: ReadonlyMap<string, DifyEndpoint>) {}

  private get embedded(): EmbeddedDify[] {
    return [...this.byApp.values()].filter((endpoint): endpoint is EmbeddedDify => endpoint instanceof EmbeddedDify);
  }

  onApplicationBootstrap(): void {
    for (const server of this.embedded) server.onApplicationBootstrap();
  }
}

/**
 * The one place that chooses which Dify each app calls: the configured one, or for the `default` app
 * without DIFY_API_KEY (never in production: config refuses) the embedded local server. Global, so
 * `DifyModule` finds the endpoints wherever it is imported.
 */
@Global()
@Module({
  providers: [
    {
      provide: DifyEndpoints,
      inject: [appsConfig.KEY, ShutdownSequence],
      useFactory: async ({ apps }: AppsConfig, shutdown: ShutdownSequence): Promise<DifyEndpoints> => {
        const logger = new Logger('Dify');
        const byApp = new Map<string, DifyEndpoint>();
        for (const [name, { provider, apiKey, baseUrl }] of apps) {
          if (provider !== 'dify') continue;
          if (!apiKey) {
            const embedded = await EmbeddedDify.start();
            shutdown.register('close', 'embedded Dify', () => embedded.close());
            byApp.set(name, embedded);
            continue;
          }
          logger.log(`Using Dify at ${redactedUrl(baseUrl)} for app ${name}`);
          byApp.set(name, { baseUrl, apiKey, embedded: false });
        }
        return new AppEndpoints(byApp);
      },
    },
  ],
  exports: [DifyEndpoints],
})
export class DifyEndpointModule {}
