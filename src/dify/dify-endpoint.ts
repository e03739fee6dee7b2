/**
 * Which Dify to call and with which key. The app's wiring provides it (the configured Dify, or the
 * embedded local server): this module never chooses. An abstract class so it serves as the DI token.
 */
export abstract class DifyEndpoint {
  abstract readonly baseUrl: string;
  abstract readonly apiKey: string;
  /** True when answers come from the embedded local server, not a real Dify. */
  abstract readonly embedded: boolean;
}
