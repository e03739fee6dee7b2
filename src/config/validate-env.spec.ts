import { appConfig } from './app.config';
import { appsConfig } from './apps.config';
import { authConfig } from './auth.config';
import { difyConfig } from './dify.config';
import { limitsConfig } from './limits.config';
import { sessionConfig } from './session.config';
import { turnConfig } from './turn.config';

describe('configuration', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('uses the documented defaults', () => {
    delete process.env.PORT;
    delete process.env.DIFY_BASE_URL;
    delete process.env.DIFY_TIMEOUT;
    expect(appConfig()).toMatchObject({ port: 8000, wsPath: '/ws/realtime-asr' });
    expect(difyConfig()).toMatchObject({ baseUrl: 'https://api.dify.ai/v1', timeoutMs: 60_000, inputs: {} });
  });

  it("gives each principal a quarter of the answer slots and 1000 sockets, or the instance's without authentication", () => {
    for (const name of [
      'MAX_CONCURRENT_ANSWERS',
      'MAX_CONCURRENT_ANSWERS_PER_PRINCIPAL',
      'MAX_CONNECTIONS_PER_PRINCIPAL',
      'BATCH_MAX_SHARE',
    ])
      delete process.env[name];
    process.env.AUTH_TOKENS = 'acme:acme-secret-token';
    expect(limitsConfig()).toMatchObject({
      maxConcurrentAnswers: 200,
      maxConcurrentAnswersPerPrincipal: 50,
      maxConnectionsPerPrincipal: 1000,
      batchMaxShare: 0.5,
    });
    process.env.MAX_CONCURRENT_ANSWERS = '3';
    expect(limitsConfig().maxConcurrentAnswersPerPrincipal).toBe(1);
    delete process.env.AUTH_TOKENS;
    // Signed tokens alone authenticate too: each principal its share.
    process.env.AUTH_JWT_SECRET = 'a-jwt-secret-of-at-least-thirty-two-bytes';
    expect(limitsConfig()).toMatchObject({ maxConcurrentAnswersPerPrincipal: 1, maxConnectionsPerPrincipal: 1000 });
    delete process.env.AUTH_JWT_SECRET;
    expect(limitsConfig()).toMatchObject({ maxConcurrentAnswersPerPrincipal: 3, maxConnectionsPerPrincipal: Infinity });
    process.env.MAX_CONCURRENT_ANSWERS_PER_PRINCIPAL = '2';
    process.env.MAX_CONNECTIONS_PER_PRINCIPAL = '7';
    expect(limitsConfig()).toMatchObject({ maxConcurrentAnswersPerPrincipal: 2, maxConnectionsPerPrincipal: 7 });
  });

  it('names the variable that holds a bad value', () => {
    process.env.PORT = 'eighty';
    expect(() => appConfig()).toThrow(/PORT/);
    process.env.PORT = '8080';
    process.env.DIFY_TIMEOUT = '-3';
    expect(() => difyConfig()).toThrow(/DIFY_TIMEOUT/);
  });

  it('reads STOP_MODE: close unless it says reset; anything else stops start-up naming it', () => {
    delete process.env.STOP_MODE;
    expect(turnConfig().stopMode).toBe('close');
    process.env.STOP_MODE = 'reset';
    expect(turnConfig().stopMode).toBe('reset');
    process.env.STOP_MODE = 'idle';
    expect(() => turnConfig()).toThrow(/STOP_MODE/);
  });

  it('never echoes a value, so a secret in a bad variable stays out of the message', () => {
    process.env.DIFY_BASE_URL = 'not a url app-secret123';
    expect(() => difyConfig()).toThrow(/DIFY_BASE_URL/);
    expect(() => difyConfig()).not.toThrow(/app-secret123/);
  });

  it('refuses credentials in DIFY_BASE_URL without echoing them: they would replace the key (Basic for Bearer)', () => {
    process.env.DIFY_BASE_URL = 'https://alice:pw-s3cret@dify.internal/v1';
    expect(() => difyConfig()).toThrow(/DIFY_BASE_URL: must not carry credentials/);
    expect(() => difyConfig()).not.toThrow(/pw-s3cret/);
  });

  it('bounds hello inputs: 16 KiB unless MAX_INPUTS_BYTES says otherwise, within 64..1 MiB', () => {
    delete process.env.MAX_INPUTS_BYTES;
    expect(sessionConfig().maxInputsBytes).toBe(16 * 1024);
    process.env.MAX_INPUTS_BYTES = '4096';
    expect(sessionConfig().maxInputsBytes).toBe(4096);
    process.env.MAX_INPUTS_BYTES = '10';
    expect(() => sessionConfig()).toThrow(/MAX_INPUTS_BYTES/);
  });

  it('refuses to start in production without a Dify key', () => {
    process.env.NODE_ENV = 'production';
    delete process.env.DIFY_API_KEY;
    delete process.env.APPS;
    delete process.env.APPS_FILE;
    expect(() => appsConfig()).toThrow(/DIFY_API_KEY: required when NODE_ENV=production/);
    process.env.DIFY_API_KEY = 'app-key';
    expect(appsConfig().apps.get('default')?.apiKey).toBe('app-key');
  });

  it.each([
    // Every Redis command is bounded; followed answers on a Redis Cluster are read this often.
    {
      name: 'REDIS_COMMAND_TIMEOUT_MS',
      read: () => sessionConfig().commandTimeoutMs,
      byDefault: 1000,
      within: '10..60000',
      set: 250,
      refused: '0',
    },
    {
      name: 'REDIS_CLUSTER_FOLLOW_POLL_MS',
      read: () => sessionConfig().clusterFollowPollMs,
      byDefault: 50,
      within: '5..5000',
      set: 200,
      refused: '1',
    },
  ])('$name: $byDefault ms unless set, within $within', ({ name, read, byDefault, set, refused }) => {
    delete process.env[name];
    expect(read()).toBe(byDefault);
    process.env[name] = String(set);
    expect(read()).toBe(set);
    process.env[name] = refused;
    expect(read).toThrow(new RegExp(name));
  });

  it('strips a trailing slash from the base URL and parses DIFY_INPUTS', () => {
    process.env.DIFY_BASE_URL = 'http://dify.internal/v1/';
    process.env.DIFY_INPUTS = '{"lang":"zh"}';
    expect(difyConfig()).toMatchObject({ baseUrl: 'http://dify.internal/v1', inputs: { lang: 'zh' } });
    process.env.DIFY_INPUTS = '[1]';
    expect(() => difyConfig()).toThrow(/DIFY_INPUTS/);
  });
});

describe('ALLOWED_ORIGINS', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it("defaults to the service's own origin, and reads a list (lower case) or *", () => {
    delete process.env.ALLOWED_ORIGINS;
    expect(authConfig().allowedOrigins).toBe('same-origin');
    process.env.ALLOWED_ORIGINS = 'https://App.example.com, http://localhost:3000,http://[::1]:8080,capacitor://localhost';
    expect(authConfig().allowedOrigins).toEqual([
      'https://app.example.com',
      'http://localhost:3000',
      'http://[::1]:8080',
      'capacitor://localhost',
    ]);
    process.env.ALLOWED_ORIGINS = '*';
    expect(authConfig().allowedOrigins).toBe('*');
  });

  it('stops start-up on anything that is not an origin, naming the variable but not the value', () => {
    for (const bad of [
      'https://app.example.com/',
      'https://app.example.com/path',
      'app.example.com',
      '*,https://a.example',
      'https://a.example,',
      'https://secret-value.example?x',
    ]) {
      process.env.ALLOWED_ORIGINS = bad;
      expect(() => authConfig()).toThrow(/ALLOWED_ORIGINS must be \* or a comma-separated list of origins/);
      expect(() => authConfig()).not.toThrow(/secret-value/);
    }
  });
});
