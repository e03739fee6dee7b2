import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appsConfig } from './apps.config';

const KEY = 'app-verySecretKey123';

describe('appsConfig (APPS, APPS_FILE, DEFAULT_APP)', () => {
  const saved = { ...process.env };
  let dir: string;
  beforeEach(() => {
    for (const name of ['APPS', 'APPS_FILE', 'DEFAULT_APP', 'DIFY_API_KEY', 'DIFY_BASE_URL', 'DIFY_INPUTS']) delete process.env[name];
    dir = mkdtempSync(join(tmpdir(), 'apps-config-'));
  });
  afterEach(() => {
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });
  const withApps = (apps: unknown) => {
    process.env.APPS = JSON.stringify(apps);
    return () => appsConfig();
  };
  /** The start-up error's text, which must name what is wrong and never echo a value. */
  const problem = (read: () => unknown): string => {
    try {
      read();
    } catch (error) {
      const text = (error as Error).message;
      expect(text).not.toContain(KEY);
      return text;
    }
    throw new Error('no error');
  };

  it('without APPS: one app named default from DIFY_API_KEY, DIFY_BASE_URL and DIFY_INPUTS, as before apps existed', () => {
    process.env.DIFY_API_KEY = KEY;
    process.env.DIFY_BASE_URL = 'https://dify.example.com/v1/';
    process.env.DIFY_INPUTS = '{"lang":"en"}';
    const { apps, defaultApp } = appsConfig();
    expect(defaultApp).toBe('default');
    expect([...apps]).toEqual([
      ['default', { provider: 'dify', baseUrl: 'https://dify.example.com/v1', apiKey: KEY, inputs: { lang: 'en' } }],
    ]);
  });

  it('without APPS or a key: the default app has no key (the embedded server answers), except in production', () => {
    expect(appsConfig().apps.get('default')?.apiKey).toBeUndefined();
    process.env.NODE_ENV = 'production';
    expect(problem(() => appsConfig())).toMatch(/DIFY_API_KEY: required when NODE_ENV=production/);
    process.env.APPS = JSON.stringify({ hr: { api_key: KEY } });
    expect(appsConfig().defaultApp).toBe('hr');
  });

  it('reads each app: base_url (DIFY_BASE_URL by default), api_key, inputs, principals', () => {
    process.env.DIFY_BASE_URL = 'https://api.example.com/v1';
    process.env.DEFAULT_APP = 'hr';
    const { apps } = withApps({
      hr: { base_url: 'https://hr.example.com/v1', api_key: KEY, inputs: { dept: 'hr' }, principals: ['acme'] },
      it: { api_key: 'app-it', provider: 'dify' },
    })();
    expect(apps.get('hr')).toEqual({
      provider: 'dify',
      baseUrl: 'https://hr.example.com/v1',
      apiKey: KEY,
      inputs: { dept: 'hr' },
      principals: ['acme'],
    });
    expect(apps.get('it')).toEqual({ provider: 'dify', baseUrl: 'https://api.example.com/v1', apiKey: 'app-it', inputs: {} });
  });

  it('names the app and the field of every problem at once, never echoing a value', () => {
    const text = problem(
      withApps({
        hr: { api_key: '', base_url: `https://user:${KEY}@dify.example.com/v1` },
        it: { api_key: KEY, inputs: [KEY], principals: [], apikey: KEY },
        kb: { api_key: KEY, provider: 'ragflow', model: KEY },
        wiki: { api_key: KEY, provider: 'notion' },
        'bad name!': { api_key: KEY },
        faq: KEY,
      }),
    );
    expect(text).toContain('APPS: app "hr": api_key: required');
    expect(text).toContain('APPS: app "hr": base_url: must not carry credentials');
    expect(text).toContain('APPS: app "it": inputs: must be an object');
    expect(text).toContain('APPS: app "it": principals: lists nobody');
    expect(text).toContain('APPS: app "it": apikey: unknown field');
    expect(text).toContain('APPS: app "kb": base_url: required');
    expect(text).toContain('APPS: app "kb": model: unknown field for provider ragflow');
    expect(text).toContain('APPS: app "wiki": provider: must be one of dify, openai, ragflow, fastgpt');
    expect(text).toContain('APPS: app "(a bad name)": names are 1-64 letters');
    expect(text).toContain('APPS: app "faq": must be an object');
  });

  it("keeps another provider's entry as written for src/upstream/ to check (DIFY_BASE_URL is Dify's only)", () => {
    process.env.DEFAULT_APP = 'kb';
    const kb = { provider: 'openai', base_url: 'http://llm.local/v1/', api_key: KEY, model: 'qwen', history_turns: 4 };
    const { apps } = withApps({ kb })();
    expect(apps.get('kb')).toEqual({ provider: 'openai', baseUrl: 'http://llm.local/v1', apiKey: KEY, inputs: {}, providerFields: kb });
  });

  it('refuses APPS that is not JSON, not an object, or names no app, without quoting it', () => {
    process.env.APPS = `{"hr":{"api_key":"${KEY}"`;
    expect(problem(() => appsConfig())).toContain('APPS: not valid JSON');
    expect(problem(withApps([KEY]))).toContain('APPS: must be an object of apps by name');
    expect(problem(withApps({}))).toContain('APPS: names no app');
  });

  it('reads APPS_FILE as YAML or JSON; an unreadable or broken file is named with its line, not its text', () => {
    const yaml = join(dir, 'apps.yaml');
    writeFileSync(yaml, `hr:\n  api_key: ${KEY}\n  inputs:\n    dept: hr\nit:\n  api_key: app-it\n  principals: [acme]\n`);
    process.env.APPS_FILE = yaml;
    process.env.DEFAULT_APP = 'it';
    const { apps, defaultApp } = appsConfig();
    expect([...apps.keys()]).toEqual(['hr', 'it']);
    expect(apps.get('hr')?.inputs).toEqual({ dept: 'hr' });
    expect(defaultApp).toBe('it');

    const json = join(dir, 'apps.json');
    writeFileSync(json, JSON.stringify({ hr: { api_key: KEY } }));
    process.env.APPS_FILE = json;
    delete process.env.DEFAULT_APP;
    expect(appsConfig().defaultApp).toBe('hr');

    writeFileSync(yaml, `hr:\n  api_key: ${KEY}\n  inputs: {dept: [\n`);
    process.env.APPS_FILE = yaml;
    expect(problem(() => appsConfig())).toMatch(/APPS_FILE: .*apps\.yaml is not valid JSON or YAML/);
    process.env.APPS_FILE = join(dir, 'missing.yaml');
    expect(problem(() => appsConfig())).toMatch(/APPS_FILE: cannot read .*missing\.yaml \(ENOENT\)/);
    process.env.APPS = JSON.stringify({ hr: { api_key: KEY } });
    expect(problem(() => appsConfig())).toContain('APPS, APPS_FILE: set one of the two');
  });

  it('DEFAULT_APP: an app of APPS; else `default`, else the only app; required among several without `default`', () => {
    process.env.DEFAULT_APP = 'nope';
    expect(problem(withApps({ hr: { api_key: KEY } }))).toContain('DEFAULT_APP: names no app of APPS (apps: hr)');
    delete process.env.DEFAULT_APP;
    expect(withApps({ hr: { api_key: KEY }, default: { api_key: KEY } })().defaultApp).toBe('default');
    expect(problem(withApps({ hr: { api_key: KEY }, it: { api_key: KEY } }))).toContain('DEFAULT_APP: required when APPS has several apps');
  });
});
