import { SettingsFields } from '../settings-fields';

export interface OpenAiSettings {
  /** Up to `/v1`: `{base_url}/chat/completions`. */
  baseUrl: string;
  apiKey: string;
  model: string;
  systemPrompt?: string;
  /** Merged into every request body (temperature, a server's own options). */
  extraBody?: Record<string, unknown>;
  /** Question/answer pairs of the session sent with each question (0: none). */
  historyTurns: number;
  /** The most characters of those pairs: the oldest go first past it. */
  historyChars: number;
}

/** An `openai` app entry's settings (`base_url`, `api_key`, `model`, `system_prompt`, `extra_body`, `history_turns`, `history_chars`). */
export function parseOpenAiSettings(app: string, entry: Record<string, unknown>): OpenAiSettings {
  const fields = new SettingsFields(app, entry);
  return {
    baseUrl: fields.url('base_url'),
    apiKey: fields.string('api_key'),
    model: fields.string('model'),
    systemPrompt: fields.optionalString('system_prompt'),
    extraBody: fields.optionalObject('extra_body'),
    historyTurns: fields.optionalInt('history_turns', 0, 100, 10),
    historyChars: fields.optionalInt('history_chars', 0, 1_000_000, 16_000),
  };
}
