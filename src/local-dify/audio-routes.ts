import { ConversationStore } from './conversation-store';
import { HttpError } from './http-error';
import { jsonFields } from './http-io';
import { LocalDifyOptions } from './local-dify.types';
import { endUser } from './request-params';
import { Route } from './router';
import { synthesize } from './speech';

/**
 * `POST /text-to-audio`: a message's answer (`message_id`) or a `text`, read aloud as a WAV, when the
 * app has text to speech on (the `tts` option); otherwise Dify's 400. `POST /audio-to-text`: the app
 * has speech to text off (there is no recognizer here), so Dify's 400 for that.
 */
export function audioRoutes(options: Required<LocalDifyOptions>, conversations: ConversationStore): Route[] {
  return [
    {
      method: 'POST',
      path: /^\/v1\/text-to-audio$/,
      handle: async ({ body, res }) => {
        if (!options.tts) throw new HttpError(400, 'invalid_param', 'TTS is not enabled');
        const { message_id: messageId, text, user } = jsonFields(body);
        const spoken = typeof messageId === 'string' && messageId !== '' ? savedAnswer(conversations, messageId, endUser(user)) : text;
        if (typeof spoken !== 'string' || spoken.trim() === '') throw new HttpError(400, 'invalid_param', 'Text is required');
        const { mimeType, audio } = await synthesize(spoken);
        res.writeHead(200, { 'Content-Type': mimeType, 'Content-Length': audio.length }).end(audio);
      },
    },
    {
      method: 'POST',
      path: /^\/v1\/audio-to-text$/,
      upload: true,
      handle: () => {
        throw new HttpError(400, 'speech_to_text_disabled', 'Speech to text is disabled.');
      },
    },
  ];
}

function savedAnswer(conversations: ConversationStore, messageId: string, user: string): string {
  const saved = conversations.message(messageId, user)?.saved;
  if (!saved) throw new HttpError(404, 'not_found', 'Message Not Exists.');
  return 'answer' in saved ? saved.answer : '';
}
