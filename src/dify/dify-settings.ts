import { DifyConfig } from '../config';
import { DifyEndpoint } from './dify-endpoint';

export type DifyLimits = Pick<
  DifyConfig,
  'timeoutMs' | 'firstTokenTimeoutMs' | 'totalTimeoutMs' | 'retries' | 'retryBaseMs' | 'maxEventChars'
>;

/** Where one app's Dify is (the wiring's `DifyEndpoint`) with the configured limits and the app's inputs for calling it. It opens nothing. */
export class DifySettings {
  constructor(
    private readonly config: DifyLimits,
    private readonly endpoint: DifyEndpoint,
    /** The app's input variables (APPS `inputs`, or DIFY_INPUTS). */
    readonly inputs: Record<string, unknown>,
  ) {}

  get baseUrl(): string {
    return this.endpoint.baseUrl;
  }

  get apiKey(): string {
    return this.endpoint.apiKey;
  }

  get limits(): DifyLimits {
    return this.config;
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
