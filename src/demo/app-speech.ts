import { Injectable } from '@nestjs/common';
import { DifyAppApi, DifyAppParameters } from '../dify';

/**
 * Whether the Dify app speaks its answers: `on` (text to speech with auto-play, so Dify streams the
 * audio with the text), `off`, `no-auto-play` (the app speaks only when asked per message, which
 * this service never does), `unknown` (Dify did not answer).
 */
export type TextToSpeech = 'on' | 'off' | 'no-auto-play' | 'unknown';

export const TEXT_TO_SPEECH_STATES: readonly TextToSpeech[] = ['on', 'off', 'no-auto-play', 'unknown'];

/** What the demo page's "Speak answers" needs to know of the Dify app, from its `GET /parameters`. */
@Injectable()
export class AppSpeech {
  constructor(private readonly app: DifyAppApi) {}

  textToSpeech(): Promise<TextToSpeech> {
    return this.app.parameters().then(textToSpeechOf, () => 'unknown' as const);
  }
}

export function textToSpeechOf({ text_to_speech: tts }: DifyAppParameters): TextToSpeech {
  if (!tts?.enabled) return 'off';
  return tts.autoPlay === 'enabled' ? 'on' : 'no-auto-play';
}
