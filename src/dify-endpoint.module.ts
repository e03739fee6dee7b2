import { Global, Logger, Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { difyConfig } from './config';
import { DifyEndpoint } from './dify';
import { EmbeddedDify } from './embedded-dify';
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
      inject: [difyConfig.KEY],
      useFactory: ({ apiKey, baseUrl }: ConfigType<typeof difyConfig>): DifyEndpoint | Promise<DifyEndpoint> => {
        if (!apiKey) return EmbeddedDify.start();
        new Logger('Dify').log(`Using Dify at ${redactedUrl(baseUrl)}`);
        return { baseUrl, apiKey, embedded: false };
      },
    },
  ],
  exports: [DifyEndpoint],
})
export class DifyEndpointModule {}
