import { Global, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppsConfig, appsConfig } from './config';
import { DifyEndpoint, DifyEndpoints } from './dify';
import { EmbeddedDify } from './embedded-dify';
import { redactedUrl } from './logging';

/** Each app's endpoint; the embedded server among them (at most one: the `default` app without a key) starts and stops with the app. */
class AppEndpoints implements DifyEndpoints, OnApplicationBootstrap, OnApplicationShutdown {
  constructor(readonly byApp: ReadonlyMap<string, DifyEndpoint>) {}

  private get embedded(): EmbeddedDify[] {
    return [...this.byApp.values()].filter((endpoint): endpoint is EmbeddedDify => endpoint instanceof EmbeddedDify);
  }

  onApplicationBootstrap(): void {
    for (const server of this.embedded) server.onApplicationBootstrap();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.embedded.map((server) => server.onApplicationShutdown()));
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
      inject: [appsConfig.KEY],
      useFactory: async ({ apps }: AppsConfig): Promise<DifyEndpoints> => {
        const logger = new Logger('Dify');
        const byApp = new Map<string, DifyEndpoint>();
        for (const [name, { apiKey, baseUrl }] of apps) {
          if (!apiKey) {
            byApp.set(name, await EmbeddedDify.start());
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
