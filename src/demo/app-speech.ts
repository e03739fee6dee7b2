import { Injectable } from '@nestjs/common';
import { DifyAppApi, DifyAppParameters } from '../dify';

/**
 * Whether the Dify app speaks its answers: `on` (text to speech with auto-play, so Dify streams the
 * audio with the text), `off`, `no-auto-play` (the app speaks only when asked per message, which
 * this service never does), `unknown` (Dify did not answer).
 */
export type TextToSpeech = 'on' | 'off' | 'no-auto-play' | 'unknown';

export const TEXT_TO_SPEECH_STATES: readonly TextToSpeech[] = ['on', 'off', 'no-auto-play', 'unknown'];

/** How long the app's answer is trusted: the page asks on load and on every tick, anyone may ask. */
const TTL_MS = 60_000;

/** What the demo page's "Speak answers" needs to know of the Dify app, from its `GET /parameters`. */
@Injectable()
export class AppSpeech {
  private known?: { fetchedAt: number; state: Promise<TextToSpeech> };

  constructor(private readonly app: DifyAppApi) {}

  textToSpeech(): Promise<TextToSpeech> {
    if (!this.known || Date.now() - this.known.fetchedAt > TTL_MS) {
      const known = { fetchedAt: Date.now(), state: Promise.resolve<TextToSpeech>('unknown') };
      // Callers meanwhile share the one request; a failure is not remembered: the next call asks again.
      known.state = this.app
        .parameters()
        .then(textToSpeechOf)
        .catch(() => {
          if (this.known === known) this.known = undefined;
          return 'unknown' as const;
        });
      this.known = known;
    }
    return this.known.state;
  }
}

export function textToSpeechOf({ text_to_speech: tts }: DifyAppParameters): TextToSpeech {
  if (!tts?.enabled) return 'off';
  return tts.autoPlay === 'enabled' ? 'on' : 'no-auto-play';
}
