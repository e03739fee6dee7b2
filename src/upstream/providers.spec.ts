import { parseProviderSettings } from './providers';

describe('parseProviderSettings', () => {
  const openai = { provider: 'openai', base_url: 'http://127.0.0.1:1/v1/', api_key: 'sk-very-secret', model: 'm' };

  it('reads each provider, dify by default, with the defaults filled in', () => {
    expect(parseProviderSettings('hr', {}).provider).toBe('dify');
    expect(parseProviderSettings('kb', openai)).toEqual({
      provider: 'openai',
      settings: { baseUrl: 'http://127.0.0.1:1/v1', apiKey: 'sk-very-secret', model: 'm', historyTurns: 10, historyChars: 16_000 },
    });
    expect(parseProviderSettings('rf', { provider: 'ragflow', base_url: 'http://h/api/v1', api_key: 'k', chat_id: 'c' }).settings).toEqual({
      baseUrl: 'http://h',
      apiKey: 'k',
      chatId: 'c',
      stream: 'auto',
    });
    expect(parseProviderSettings('fg', { provider: 'fastgpt', base_url: 'http://h/api', api_key: 'k' }).settings).toEqual({
      baseUrl: 'http://h/api',
      apiKey: 'k',
    });
  });

  it.each([
    [{ provider: 'maxkb' }, 'APPS.kb.provider must be one of dify, openai, ragflow, fastgpt'],
    [{ ...openai, base_url: 'ftp://h' }, 'APPS.kb.base_url must be an http(s) URL'],
    [{ ...openai, model: undefined }, 'APPS.kb.model is required'],
    [{ ...openai, api_key: 42 }, 'APPS.kb.api_key must be a non-empty string'],
    [{ ...openai, history_turns: -1 }, 'APPS.kb.history_turns must be an integer from 0 to 100'],
    [{ ...openai, extra_body: [1] }, 'APPS.kb.extra_body must be a JSON object'],
    [
      { provider: 'ragflow', base_url: 'http://h', api_key: 'sk-very-secret', chat_id: 'c', stream: 'x' },
      'APPS.kb.stream must be one of auto, delta, legacy',
    ],
    [{ provider: 'fastgpt', base_url: 'http://h' }, 'APPS.kb.api_key is required'],
  ])('refuses %j naming the app and the field, never the key', (entry, message) => {
    expect(() => parseProviderSettings('kb', entry)).toThrow(message);
    try {
      parseProviderSettings('kb', entry);
    } catch (error) {
      expect((error as Error).message).not.toContain('sk-very-secret');
    }
  });
});
