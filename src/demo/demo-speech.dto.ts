import { ApiProperty } from '@nestjs/swagger';
import { TEXT_TO_SPEECH_STATES, TextToSpeech } from './app-speech';

/** Whether "Speak answers" can speak: what the Dify app says of its text to speech. */
export class DemoSpeechDto {
  @ApiProperty({
    enum: TEXT_TO_SPEECH_STATES,
    example: 'on',
    description:
      'From the Dify app’s `GET /parameters`: `on` (text to speech with auto-play: the feature `tts` gets `audio` messages), `off`, `no-auto-play` (no audio streams with the answers), `unknown` (Dify did not answer).',
  })
  textToSpeech!: TextToSpeech;
}
