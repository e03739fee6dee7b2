import { Logger, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { credentialsRefusal, RedisCredentialsError } from './redis-credentials';
import { RedisWriteProbe } from './redis-readiness';
import { SessionRecord, SessionStore, SessionStoreUnavailableError } from './session-store';

const PREFIX = 'realtime-rag:session:';
/** Where readiness writes (redis-readiness.ts), beside the sessions. */
const READY_PREFIX = 'realtime-rag:';

/** How long start-up waits for Redis before going on without it (readiness then says so). */
const CONNECT_WAIT_MS = 3000;

/**
 * Sessions in Redis, shared by every instance behind a load balancer: a client that reconnects to
 * another instance continues its conversation. Each record expires after the TTL, renewed on use.
 * Nothing waits on Redis for long: commands fail fast while Redis is down (no offline queue) and
 * after the command timeout while it does not answer (hung, or across a network partition, where
 * the connection stays open); the client reconnects by itself.
 */
export class RedisSessionStore extends SessionStore implements OnModuleInit {
  readonly kind = 'redis';
  private readonly logger = new Logger(RedisSessionStore.name);
  private readonly probe: RedisWriteProbe;

  constructor(
    readonly redis: Redis,
    private readonly ttlMs: number,
  ) {
    super();
    this.probe = new RedisWriteProbe(redis, READY_PREFIX);
    redis.on('error', (error: Error) => this.logger.warn(credentialsRefusal(error) ?? `Redis: ${error.message}`));
  }

  static connect(url: string, ttlMs: number, commandTimeoutMs: number): RedisSessionStore {
    const redis = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: false,
      commandTimeout: commandTimeoutMs,
      // An attempt into a partition is given up when start-up stops waiting, and tried again.
      connectTimeout: CONNECT_WAIT_MS,
    });
    return new RedisSessionStore(redis, ttlMs);
  }

  /**
   * Waits a moment for the first connection, so a healthy Redis is ready when the app is; an
   * unreachable one is left to reconnect (readiness says so meanwhile). Credentials Redis refuses
   * stop start-up (RedisCredentialsError): no retry can fix them.
   */
  async onModuleInit(): Promise<void> {
    if (this.redis.status === 'ready') return;
    const outcome = await new Promise<'ready' | 'late' | RedisCredentialsError>((resolve) => {
      const done = (result: 'ready' | 'late' | RedisCredentialsError) => {
        clearTimeout(timer);
        this.redis.off('ready', onReady).off('error', onError);
        resolve(result);
      };
      const onReady = () => done('ready');
      const onError = (error: Error) => {
        const refusal = credentialsRefusal(error);
        if (refusal) done(new RedisCredentialsError(refusal));
      };
      const timer = setTimeout(() => done('late'), CONNECT_WAIT_MS);
      this.redis.on('ready', onReady).on('error', onError);
    });
    if (outcome instanceof RedisCredentialsError) throw outcome;
    if (outcome === 'late') this.logger.warn(`Redis not reachable after ${CONNECT_WAIT_MS} ms; starting without it`);
  }

  async get(key: string): Promise<SessionRecord | undefined> {
    // GETEX renews the expiry with the read, in one round trip (Redis ≥ 6.2).
    const value = await this.run(() => this.redis.getex(PREFIX + key, 'PX', this.ttlMs));
    return value ? (JSON.parse(value) as SessionRecord) : undefined;
  }

  async save(key: string, record: SessionRecord): Promise<void> {
    await this.run(() => this.redis.set(PREFIX + key, JSON.stringify(record), 'PX', this.ttlMs));
  }

  /** Not only answering: taking writes (redis-readiness.ts). */
  whyUnready(): Promise<string | undefined> {
    return this.probe.whyUnready();
  }

  /** At shutdown, after the flush (ShutdownSequence: a write queued after QUIT would be lost). */
  async close(): Promise<void> {
    // QUIT is a command like any other: the command timeout bounds it, and unanswered the connection is dropped.
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new SessionStoreUnavailableError(error);
    }
  }
}
