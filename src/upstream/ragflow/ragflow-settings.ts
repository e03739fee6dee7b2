import { SettingsFields } from '../settings-fields';

/** `auto` tells a cumulative (≤ v0.23) stream from a delta one by itself; `legacy` and `delta` say which it is. */
export type RagflowStreamMode = 'auto' | 'delta' | 'legacy';

export interface RagflowSettings {
  /** The server's root: `{base_url}/api/v1/chats/{chat_id}/completions`. */
  baseUrl: string;
  apiKey: string;
  chatId: string;
  stream: RagflowStreamMode;
}

/** A `ragflow` app entry's settings (`base_url`, `api_key`, `chat_id`, optional `stream`). */
export function parseRagflowSettings(app: string, entry: Record<string, unknown>): RagflowSettings {
  const fields = new SettingsFields(app, entry);
  return {
    baseUrl: fields.url('base_url').replace(/\/api\/v1$/, ''),
    apiKey: fields.string('api_key'),
    chatId: fields.string('chat_id'),
    stream: fields.oneOf('stream', ['auto', 'delta', 'legacy'] as const, 'auto'),
  };
}
