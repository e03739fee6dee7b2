import type { HttpService } from '@nestjs/axios';
import { DifyAppApi } from './dify-app-api';
import { DifySettings } from './dify-settings';
import { DifyAppParameters } from './dify.types';

describe('DifyAppApi.parameters', () => {
  const withAnswers = (...answers: Array<DifyAppParameters | Error>) => {
    const get = jest.fn(() => {
      const next = answers.shift()!;
      return next instanceof Error ? Promise.reject(next) : Promise.resolve({ data: next });
    });
    const url = 'http://127.0.0.1:1/v1';
    const limits = { timeoutMs: 1000, firstTokenTimeoutMs: 1000, totalTimeoutMs: 1000, retries: 0, retryBaseMs: 10, maxEventChars: 1024 };
    const settings = new DifySettings(limits, { baseUrl: url, apiKey: 'app-unit', embedded: false }, {});
    return { app: new DifyAppApi({ axiosRef: { get } } as unknown as HttpService, settings), get };
  };
  const on = { text_to_speech: { enabled: true, autoPlay: 'enabled' } } as const;

  afterEach(() => jest.useRealTimers());

  it('asks Dify once for callers at the same time and within a minute, then again', async () => {
    jest.useFakeTimers({ now: 0 });
    const { app, get } = withAnswers(on, {});
    expect(await Promise.all([app.parameters(), app.parameters()])).toEqual([on, on]);
    jest.setSystemTime(60_000);
    expect(await app.parameters()).toEqual(on);
    expect(get).toHaveBeenCalledTimes(1);
    jest.setSystemTime(60_001);
    expect(await app.parameters()).toEqual({});
    expect(get).toHaveBeenCalledTimes(2);
  });

  it('does not remember a failure: the next call asks again', async () => {
    const { app, get } = withAnswers(new Error('down'), on);
    await expect(app.parameters()).rejects.toBeDefined();
    expect(await app.parameters()).toEqual(on);
    expect(get).toHaveBeenCalledTimes(2);
  });
});
