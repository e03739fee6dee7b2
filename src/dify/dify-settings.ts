import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { difyConfig } from '../config';
import { DifyEndpoint } from './dify-endpoint';

/** Where Dify is (the wiring's `DifyEndpoint`) with the configured limits and inputs for calling it. It opens nothing. */
@Injectable()
export class DifySettings {
  constructor(
    @Inject(difyConfig.KEY) private readonly config: ConfigType<typeof difyConfig>,
    private readonly endpoint: DifyEndpoint,
  ) {}

  get baseUrl(): string {
    return this.endpoint.baseUrl;
  }

  get apiKey(): string {
    return this.endpoint.apiKey;
  }

  get limits(): Pick<
    ConfigType<typeof difyConfig>,
    'timeoutMs' | 'firstTokenTimeoutMs' | 'totalTimeoutMs' | 'retries' | 'retryBaseMs' | 'maxEventChars'
  > {
    return this.config;
  }

  get inputs(): Record<string, unknown> {
    return this.config.inputs;
  }

  /** The URL of a Service API path (`/chat-messages`). */
  url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  authHeader(): Record<string, string> {
    return { Authorization: `Bearer ${this.apiKey}` };
  }

  /** True when answers come from the embedded local server, not a real Dify. */
  get embedded(): boolean {
    return this.endpoint.embedded;
  }
}
