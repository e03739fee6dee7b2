/**
 * Which Dify to call and with which key. The app's wiring provides it (the configured Dify, or the
 * embedded local server): this module never chooses.
 */
export interface DifyEndpoint {
  readonly baseUrl: string;
  readonly apiKey: string;
  /** True when answers come from the embedded local server, not a real Dify. */
  readonly embedded: boolean;
}

/** Each app's DifyEndpoint, by app name. An abstract class so it serves as the DI token the wiring provides. */
export abstract class DifyEndpoints {
  abstract readonly byApp: ReadonlyMap<string, DifyEndpoint>;
}
