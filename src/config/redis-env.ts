import { readFileSync } from 'node:fs';
import { IsBoolean, IsOptional, IsString, IsUrl, Matches } from 'class-validator';

/** `host:port`, comma-separated: Cluster seeds, Sentinels. */
const ADDRESSES = /^[\w.-]+:\d{1,5}(\s*,\s*[\w.-]+:\d{1,5})*$/;

/** Where Redis is and how to reach it: one of REDIS_URL, REDIS_CLUSTER_NODES, REDIS_SENTINELS. */
export class RedisEnv {
  @IsOptional()
  @IsUrl({ protocols: ['redis', 'rediss'], require_tld: false, require_protocol: true })
  REDIS_URL?: string;

  @IsOptional()
  @Matches(ADDRESSES, { message: 'REDIS_CLUSTER_NODES must be host:port seeds, comma-separated' })
  REDIS_CLUSTER_NODES?: string;

  @IsOptional()
  @Matches(ADDRESSES, { message: 'REDIS_SENTINELS must be host:port addresses, comma-separated' })
  REDIS_SENTINELS?: string;

  @IsOptional()
  @IsString()
  REDIS_SENTINEL_NAME?: string;

  @IsOptional()
  @IsString()
  REDIS_SENTINEL_USERNAME?: string;

  @IsOptional()
  @IsString()
  REDIS_SENTINEL_PASSWORD?: string;

  @IsOptional()
  @IsString()
  REDIS_USERNAME?: string;

  @IsOptional()
  @IsString()
  REDIS_PASSWORD?: string;

  @IsOptional()
  @IsBoolean()
  REDIS_TLS: boolean = false;

  @IsOptional()
  @IsString()
  REDIS_TLS_CA?: string;

  @IsOptional()
  @IsString()
  REDIS_TLS_CERT?: string;

  @IsOptional()
  @IsString()
  REDIS_TLS_KEY?: string;

  // Braces would make the prefix a hash tag: every key of the deployment in one slot.
  @IsOptional()
  @Matches(/^[\w.:-]{1,64}$/, { message: 'REDIS_KEY_PREFIX must be 1-64 letters, digits, or . _ : -' })
  REDIS_KEY_PREFIX: string = 'realtime-rag';
}

export interface RedisAddress {
  host: string;
  port: number;
}

/** How to connect to Redis (see src/session/redis-connection.ts), in whichever mode it runs. */
export interface RedisConnectionConfig {
  mode: 'standalone' | 'cluster' | 'sentinel';
  /** standalone: the URL (its password and user, when it carries them, win over REDIS_PASSWORD/REDIS_USERNAME). */
  url?: string;
  /** cluster: the seeds; sentinel: the Sentinels. */
  nodes: RedisAddress[];
  /** sentinel: the name of the master the Sentinels watch. */
  sentinelName?: string;
  /** sentinel: the Sentinels' own ACL user and password (`requirepass` in sentinel.conf), not the master's. */
  sentinelUsername?: string;
  sentinelPassword?: string;
  username?: string;
  password?: string;
  /** TLS in every mode; undefined: plain TCP (a `rediss://` URL turns TLS on by itself). */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  /** Every key, channel and queue begins with it, so deployments can share a Redis or a cluster. */
  keyPrefix: string;
}

/** The connection the environment describes, undefined without Redis; throws naming a contradiction. */
export function redisConnectionConfig(env: RedisEnv): RedisConnectionConfig | undefined {
  const given = (['REDIS_URL', 'REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'] as const).filter((name) => env[name]);
  if (given.length === 0) return undefined;
  if (given.length > 1) throw new Error(`Invalid configuration:\n  ${given.join(', ')}: set only one of them`);
  if (env.REDIS_SENTINELS && !env.REDIS_SENTINEL_NAME)
    throw new Error('Invalid configuration:\n  REDIS_SENTINEL_NAME: required with REDIS_SENTINELS (the master the Sentinels watch)');
  const sentinelOnly = (['REDIS_SENTINEL_USERNAME', 'REDIS_SENTINEL_PASSWORD'] as const).filter((name) => env[name]);
  if (sentinelOnly.length > 0 && !env.REDIS_SENTINELS)
    throw new Error(`Invalid configuration:\n  ${sentinelOnly.join(', ')}: only with REDIS_SENTINELS (the Sentinels' own credentials)`);
  const tlsFiles = { ca: env.REDIS_TLS_CA, cert: env.REDIS_TLS_CERT, key: env.REDIS_TLS_KEY };
  const tlsWanted = env.REDIS_TLS || Object.values(tlsFiles).some(Boolean);
  return {
    mode: env.REDIS_CLUSTER_NODES ? 'cluster' : env.REDIS_SENTINELS ? 'sentinel' : 'standalone',
    url: env.REDIS_URL,
    nodes: addresses(env.REDIS_CLUSTER_NODES ?? env.REDIS_SENTINELS ?? ''),
    sentinelName: env.REDIS_SENTINELS ? env.REDIS_SENTINEL_NAME : undefined,
    sentinelUsername: env.REDIS_SENTINEL_USERNAME,
    sentinelPassword: env.REDIS_SENTINEL_PASSWORD,
    username: env.REDIS_USERNAME,
    password: env.REDIS_PASSWORD,
    tls: tlsWanted
      ? {
          ca: readTlsFile('REDIS_TLS_CA', tlsFiles.ca),
          cert: readTlsFile('REDIS_TLS_CERT', tlsFiles.cert),
          key: readTlsFile('REDIS_TLS_KEY', tlsFiles.key),
        }
      : undefined,
    keyPrefix: env.REDIS_KEY_PREFIX,
  };
}

function addresses(list: string): RedisAddress[] {
  if (!list) return [];
  return list.split(',').map((address) => {
    const [host, port] = address.trim().split(':');
    return { host, port: Number(port) };
  });
}

/** A PEM file's content; a file that cannot be read stops start-up naming the variable (not the content). */
function readTlsFile(name: string, path: string | undefined): Buffer | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(`Invalid configuration:\n  ${name}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
