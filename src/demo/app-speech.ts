import { Injectable } from '@nestjs/common';
import { DifyApps, DifyAppParameters } from '../dify';

/**
 * Whether the Dify app speaks its answers: `on` (text to speech with auto-play, so Dify streams the
 * audio with the text), `off`, `no-auto-play` (the app speaks only when asked per message, which
 * this service never does), `unknown` (Dify did not answer).
 */
export type TextToSpeech = 'on' | 'off' | 'no-auto-play' | 'unknown';

export const TEXT_TO_SPEECH_STATES: readonly TextToSpeech[] = ['on', 'off', 'no-auto-play', 'unknown'];

/** What the demo page's "Speak answers" needs to know of a Dify app, from its `GET /parameters`. */
@Injectable()
export class AppSpeech {
  constructor(private readonly dify: DifyApps) {}

  /** `unknown` for an app that is not one of APPS, as for one whose Dify did not answer: names do not leak. */
  textToSpeech(app: string): Promise<TextToSpeech> {
    const known = this.dify.all().find(({ name }) => name === app);
    if (!known) return Promise.resolve('unknown');
    return known.api.parameters().then(textToSpeechOf, () => 'unknown' as const);
  }
}

export function textToSpeechOf({ text_to_speech: tts }: DifyAppParameters): TextToSpeech {
  if (!tts?.enabled) return 'off';
  return tts.autoPlay === 'enabled' ? 'on' : 'no-auto-play';
}
