import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { difyConfig } from '../config';
import { LocalDifyServer } from '../local-dify';

/**
 * Where Dify is and how to reach it. Without DIFY_API_KEY (never in production: config refuses) it
 * starts the embedded local Dify-compatible server on loopback, so a fresh clone works with no account.
 */
@Injectable()
export class DifyConnection implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Dify');
  private local?: LocalDifyServer;
  private endpoint?: { baseUrl: string; apiKey: string };

  constructor(@Inject(difyConfig.KEY) private readonly config: ConfigType<typeof difyConfig>) {}

  get baseUrl(): string {
    return this.settled().baseUrl;
  }

  get apiKey(): string {
    return this.settled().apiKey;
  }

  /** Timeouts, retries and the largest stream event, as configured. */
  get limits(): Pick<ConfigType<typeof difyConfig>, 'timeoutMs' | 'firstTokenTimeoutMs' | 'totalTimeoutMs' | 'retries' | 'retryBaseMs' | 'maxEventChars'> {
    return this.config;
  }

  get inputs(): Record<string, unknown> {
    return this.config.inputs;
  }

  /** True when answers come from the embedded local server, not a real Dify. */
  get embedded(): boolean {
    return this.local !== undefined;
  }

  async onModuleInit(): Promise<void> {
    if (this.config.apiKey) {
      this.endpoint = { baseUrl: this.config.baseUrl, apiKey: this.config.apiKey };
      this.logger.log(`Using Dify at ${this.config.baseUrl}`);
      return;
    }
    this.local = new LocalDifyServer();
    const { baseUrl } = await this.local.listen(0, '127.0.0.1');
    this.endpoint = { baseUrl, apiKey: this.local.options.apiKeys[0] };
    this.logger.warn(
      [
        '',
        '*****************************************************************************',
        '* DIFY_API_KEY is not set: answering from the EMBEDDED LOCAL Dify-compatible *',
        `* server at ${baseUrl} (a small built-in knowledge base).`,
        '* Set DIFY_API_KEY (and DIFY_BASE_URL for self-hosted Dify) to use your app.  *',
        '*****************************************************************************',
      ].join('\n'),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.local?.close();
  }

  private settled(): { baseUrl: string; apiKey: string } {
    if (!this.endpoint) throw new Error('DifyConnection used before the module initialised');
    return this.endpoint;
  }
}
