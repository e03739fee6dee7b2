import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DifyEndpoint } from './dify';
import { LocalDifyServer } from './local-dify';

/**
 * The embedded local Dify-compatible server as the app's Dify, on a loopback port, so a fresh clone
 * works with no account. It keeps no test records (it may run as long as a developer likes) and
 * closes with the app (the shutdown's close phase).
 */
export class EmbeddedDify implements DifyEndpoint, OnApplicationBootstrap {
  readonly embedded = true;

  private constructor(
    private readonly server: LocalDifyServer,
    readonly baseUrl: string,
  ) {}

  get apiKey(): string {
    return this.server.options.apiKeys[0];
  }

  static async start(): Promise<EmbeddedDify> {
    // Text to speech on, so the demo page's "Speak answers" speaks on a fresh clone.
    const server = new LocalDifyServer({ record: false, tts: true });
    const { baseUrl } = await server.listen(0, '127.0.0.1');
    return new EmbeddedDify(server, baseUrl);
  }

  /** Says so loudly, after Nest's start-up lines rather than among them, a line each in either log format. */
  onApplicationBootstrap(): void {
    const logger = new Logger('Dify');
    logger.warn(
      `DIFY_API_KEY is not set: answering from the EMBEDDED LOCAL Dify-compatible server (a small built-in knowledge base) at ${this.baseUrl}, key ${this.apiKey}`,
    );
    logger.warn(`Ask it directly: npm run dify-chat -- --base-url ${this.baseUrl} --api-key ${this.apiKey} --query "什么是 RAG？"`);
    logger.warn('Set DIFY_API_KEY (and DIFY_BASE_URL for self-hosted Dify) to use your own Dify app.');
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
