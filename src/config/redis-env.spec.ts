import { sessionConfig } from './session.config';

describe('Redis configuration', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });
  const only = (env: Record<string, string>) => {
    for (const name of Object.keys(process.env)) if (name.startsWith('REDIS_')) delete process.env[name];
    Object.assign(process.env, env);
    return sessionConfig().redis;
  };

  it('is off without REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS', () => {
    expect(only({})).toBeUndefined();
  });

  it('reads each mode, with the key prefix (default realtime-rag)', () => {
    expect(only({ REDIS_URL: 'redis://localhost:6379' })).toMatchObject({ mode: 'standalone', keyPrefix: 'realtime-rag' });
    expect(only({ REDIS_CLUSTER_NODES: 'a:7000, b:7001', REDIS_KEY_PREFIX: 'team-a' })).toMatchObject({
      mode: 'cluster',
      nodes: [
        { host: 'a', port: 7000 },
        { host: 'b', port: 7001 },
      ],
      keyPrefix: 'team-a',
    });
    expect(only({ REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_NAME: 'mymaster', REDIS_PASSWORD: 'pw' })).toMatchObject({
      mode: 'sentinel',
      sentinelName: 'mymaster',
      password: 'pw',
      sentinelPassword: undefined,
    });
    // The Sentinels' own credentials, apart from the master's.
    expect(
      only({ REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_NAME: 'm', REDIS_SENTINEL_USERNAME: 'watcher', REDIS_SENTINEL_PASSWORD: 'spw' }),
    ).toMatchObject({ sentinelUsername: 'watcher', sentinelPassword: 'spw', password: undefined });
  });

  it('names what contradicts or is missing, never a value', () => {
    expect(() => only({ REDIS_URL: 'redis://h:1', REDIS_CLUSTER_NODES: 'a:1' })).toThrow(/REDIS_URL, REDIS_CLUSTER_NODES: set only one/);
    expect(() => only({ REDIS_SENTINELS: 's1:26379' })).toThrow(/REDIS_SENTINEL_NAME: required/);
    expect(() => only({ REDIS_URL: 'redis://h:1', REDIS_SENTINEL_PASSWORD: 'secret-pw' })).toThrow(
      /^Invalid configuration:\n {2}REDIS_SENTINEL_PASSWORD: only with REDIS_SENTINELS \(the Sentinels' own credentials\)$/,
    );
    expect(() => only({ REDIS_CLUSTER_NODES: 'secret-host' })).toThrow(/REDIS_CLUSTER_NODES must be host:port/);
    expect(() => only({ REDIS_URL: 'redis://h:1', REDIS_KEY_PREFIX: '{tag}' })).toThrow(/REDIS_KEY_PREFIX/);
    expect(() => only({ REDIS_URL: 'redis://h:1', REDIS_TLS_CA: '/no/such/secret-file.pem' })).toThrow(
      /REDIS_TLS_CA: cannot read the file \(ENOENT\)$/,
    );
  });
});
