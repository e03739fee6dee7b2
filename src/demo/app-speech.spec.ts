import { DifyAppApi, DifyAppParameters } from '../dify';
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
  const withParameters = (...answers: Array<DifyAppParameters | Error>) => {
    const parameters = jest.fn(() => {
      const next = answers.shift()!;
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    });
    return { speech: new AppSpeech({ parameters } as unknown as DifyAppApi), parameters };
  };

  afterEach(() => jest.useRealTimers());

  it('asks Dify once for callers at the same time and within a minute, then again', async () => {
    jest.useFakeTimers({ now: 0 });
    const { speech, parameters } = withParameters({ text_to_speech: { enabled: true, autoPlay: 'enabled' } }, {});
    expect(await Promise.all([speech.textToSpeech(), speech.textToSpeech()])).toEqual(['on', 'on']);
    jest.setSystemTime(60_000);
    expect(await speech.textToSpeech()).toBe('on');
    expect(parameters).toHaveBeenCalledTimes(1);
    jest.setSystemTime(60_001);
    expect(await speech.textToSpeech()).toBe('off');
    expect(parameters).toHaveBeenCalledTimes(2);
  });

  it('is unknown when Dify does not answer, and asks again next time', async () => {
    const { speech, parameters } = withParameters(new Error('down'), { text_to_speech: { enabled: true, autoPlay: 'enabled' } });
    expect(await speech.textToSpeech()).toBe('unknown');
    expect(await speech.textToSpeech()).toBe('on');
    expect(parameters).toHaveBeenCalledTimes(2);
  });
});
