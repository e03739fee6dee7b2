import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { DifyEndpoint } from './dify';
import { LocalDifyServer } from './local-dify';

/**
 * The embedded local Dify-compatible server as the app's Dify, on a loopback port, so a fresh clone
 * works with no account. It keeps no test records (it may run as long as a developer likes) and
 * closes with the app.
 */
export class EmbeddedDify implements DifyEndpoint, OnApplicationShutdown {
  readonly embedded = true;

  private constructor(
    private readonly server: LocalDifyServer,
    readonly baseUrl: string,
  ) {}

  get apiKey(): string {
    return this.server.options.apiKeys[0];
  }

  static async start(): Promise<EmbeddedDify> {
    const server = new LocalDifyServer({ record: false });
    const { baseUrl } = await server.listen(0, '127.0.0.1');
    new Logger('Dify').warn(
      [
        '',
        '*****************************************************************************',
        '* DIFY_API_KEY is not set: answering from the EMBEDDED LOCAL Dify-compatible *',
        `* server at ${baseUrl} (a small built-in knowledge base).`,
        '* Set DIFY_API_KEY (and DIFY_BASE_URL for self-hosted Dify) to use your app.  *',
        '*****************************************************************************',
      ].join('\n'),
    );
    return new EmbeddedDify(server, baseUrl);
  }

  onApplicationShutdown(): Promise<void> {
    return this.server.close();
  }
}
