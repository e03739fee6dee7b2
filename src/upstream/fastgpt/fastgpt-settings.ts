import { SettingsFields } from '../settings-fields';

export interface FastGptSettings {
  /** The server's API root, up to `/api`: `{base_url}/v1/chat/completions`. */
  baseUrl: string;
  /** An app key (it names the app). */
  apiKey: string;
}

/** A `fastgpt` app entry's settings (`base_url`, `api_key`). */
export function parseFastGptSettings(app: string, entry: Record<string, unknown>): FastGptSettings {
  const fields = new SettingsFields(app, entry);
  return { baseUrl: fields.url('base_url').replace(/\/v1$/, ''), apiKey: fields.string('api_key') };
}
