import { Global, Logger, Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { difyConfig } from './config';
import { DifyEndpoint } from './dify';
import { EmbeddedDify } from './embedded-dify';
import { ShutdownSequence } from './lifecycle';
import { redactedUrl } from './logging';

/**
 * The one place that chooses which Dify the app calls: the configured one, or without DIFY_API_KEY
 * (never in production: config refuses) the embedded local server. Global, so `DifyModule` finds the
 * endpoint wherever it is imported.
 */
@Global()
@Module({
  providers: [
    {
      provide: DifyEndpoint,
      inject: [difyConfig.KEY, ShutdownSequence],
      useFactory: async ({ apiKey, baseUrl }: ConfigType<typeof difyConfig>, shutdown: ShutdownSequence): Promise<DifyEndpoint> => {
        if (!apiKey) {
          const embedded = await EmbeddedDify.start();
          shutdown.register('close', 'embedded Dify', () => embedded.close());
          return embedded;
        }
        new Logger('Dify').log(`Using Dify at ${redactedUrl(baseUrl)}`);
        return { baseUrl, apiKey, embedded: false };
      },
    },
  ],
  exports: [DifyEndpoint],
})
export class DifyEndpointModule {}
