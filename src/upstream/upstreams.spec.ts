import { HttpService } from '@nestjs/axios';
import { TEST_LIMITS, testHttp } from '../../test/support/upstream-events';
import type { AppEntry, DifyConfig } from '../config';
import type { DifyApps, DifyClient } from '../dify';
import { InMemorySessionStore, SessionRecords } from '../session';
import { Upstreams } from './upstreams';

describe('Upstreams: one adapter per app of APPS', () => {
  const difyClient = { closed: () => Promise.resolve() } as unknown as DifyClient;
  const difyApps = { get: () => ({ client: difyClient }) } as unknown as DifyApps;
  const build = (apps: Record<string, AppEntry>) =>
    new Upstreams(
      new HttpService(testHttp()),
      TEST_LIMITS as DifyConfig,
      { apps: new Map(Object.entries(apps)) },
      difyApps,
      new SessionRecords(new InMemorySessionStore(1000, 10)),
    );
  const entry = (fields: Record<string, unknown>): AppEntry => ({
    provider: fields.provider as AppEntry['provider'],
    baseUrl: String(fields.base_url),
    apiKey: String(fields.api_key),
    inputs: {},
    providerFields: fields,
  });

  it("builds each app's adapter: a dify app's around its own DifyClient, the others from their fields", () => {
    const upstreams = build({
      hr: { provider: 'dify', baseUrl: 'http://dify/v1', apiKey: 'app-k', inputs: {} },
      kb: entry({ provider: 'openai', base_url: 'http://llm/v1', api_key: 'sk-k', model: 'm' }),
      manuals: entry({ provider: 'ragflow', base_url: 'http://rf', api_key: 'rf-k', chat_id: 'c' }),
      support: entry({ provider: 'fastgpt', base_url: 'http://fg/api', api_key: 'fg-k' }),
    });
    expect(upstreams.all().map(([name, upstream]) => [name, upstream.provider])).toEqual([
      ['hr', 'dify'],
      ['kb', 'openai'],
      ['manuals', 'ragflow'],
      ['support', 'fastgpt'],
    ]);
    expect(() => upstreams.get('nope')).toThrow('Unknown app nope');
  });

  it('stops start-up on a bad field, naming app and field, never the value', () => {
    const bad = () =>
      build({ kb: entry({ provider: 'openai', base_url: 'http://llm/v1', api_key: 'sk-very-secret', history_turns: 'sk-very-secret' }) });
    expect(bad).toThrow('APPS.kb.model is required');
    const wrongType = () =>
      build({
        kb: entry({
          provider: 'openai',
          base_url: 'http://llm/v1',
          api_key: 'sk-very-secret',
          model: 'm',
          history_turns: 'sk-very-secret',
        }),
      });
    expect(wrongType).toThrow('APPS.kb.history_turns must be an integer from 0 to 100');
    expect(() => wrongType()).not.toThrow(/very-secret/);
  });
});
