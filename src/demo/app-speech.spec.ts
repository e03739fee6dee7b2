import { DifyApps, DifyAppParameters } from '../dify';
import { AppSpeech, textToSpeechOf } from './app-speech';

describe('textToSpeechOf', () => {
  it('is on only with text to speech and auto-play', () => {
    expect(textToSpeechOf({ text_to_speech: { enabled: true, autoPlay: 'enabled' } })).toBe('on');
    expect(textToSpeechOf({ text_to_speech: { enabled: true, autoPlay: 'disabled' } })).toBe('no-auto-play');
    expect(textToSpeechOf({ text_to_speech: { enabled: false, autoPlay: 'enabled' } })).toBe('off');
    expect(textToSpeechOf({})).toBe('off');
  });
});

describe('AppSpeech', () => {
  const speechOf = (answer: DifyAppParameters | Error) =>
    new AppSpeech({
      all: () => [{ name: 'hr', api: { parameters: () => (answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer)) } }],
    } as unknown as DifyApps);

  it("says what the app's parameters say (DifyAppApi keeps them a minute)", async () => {
    expect(await speechOf({ text_to_speech: { enabled: true, autoPlay: 'enabled' } }).textToSpeech('hr')).toBe('on');
    expect(await speechOf({}).textToSpeech('hr')).toBe('off');
  });

  it('is unknown when Dify does not answer, and for an app that is not in APPS', async () => {
    expect(await speechOf(new Error('down')).textToSpeech('hr')).toBe('unknown');
    expect(await speechOf({ text_to_speech: { enabled: true, autoPlay: 'enabled' } }).textToSpeech('it')).toBe('unknown');
  });
});
