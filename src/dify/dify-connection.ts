import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { difyConfig } from '../config';
import { DifyEndpoint } from './dify-endpoint';

/** How to reach Dify: where it is (the wiring's `DifyEndpoint`) and how to call it (the configuration). */
@Injectable()
export class DifyConnection {
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

  /** Timeouts, retries and the largest stream event, as configured. */
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
