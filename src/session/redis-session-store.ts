import { Logger, OnModuleInit } from '@nestjs/common';
import type { RedisConnectionConfig } from '../config';
import { RedisClient, RedisConnections, repliesOf } from './redis-connection';
import { credentialsRefusal } from './redis-credentials';
import { RedisWriteProbe } from './redis-readiness';
import { SessionRecord, SessionStore, SessionStoreUnavailableError } from './session-store';

/** A record as versions before keepMessage's list wrote it: the answers' messages inside. */
type RecordOfEarlierVersions = SessionRecord & { messages?: Record<string, string> };

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
    /** Where the others sharing Redis (answer log, leases, batch) open their connections and take their key names. */
    readonly connections: RedisConnections,
    readonly redis: RedisClient,
    private readonly ttlMs: number,
  ) {
    super();
    this.probe = new RedisWriteProbe(redis, connections.keys);
    // Each failed attempt says why, credentials included: it is tried again until Redis takes it.
    redis.on('error', (error: Error) => this.logger.warn(credentialsRefusal(error) ?? `Redis: ${error.message}`));
  }

  static connect(config: RedisConnectionConfig, ttlMs: number, commandTimeoutMs: number): RedisSessionStore {
    const connections = new RedisConnections(config);
    const redis = connections.open({
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: commandTimeoutMs,
      // An attempt into a partition is given up when start-up stops waiting, and tried again.
      connectTimeout: CONNECT_WAIT_MS,
    });
    return new RedisSessionStore(connections, redis, ttlMs);
  }

  /**
   * Waits a moment for the first connection, so a healthy Redis is ready when the app is. Redis away,
   * refusing the credentials or the TLS handshake: start-up goes on, readiness says not ready, and the
   * client tries again (each failure logged) until Redis takes it: a restart cannot do better.
   */
  async onModuleInit(): Promise<void> {
    if (this.redis.status === 'ready') return;
    const ready = await new Promise<boolean>((resolve) => {
      const onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.redis.off('ready', onReady);
        resolve(false);
      }, CONNECT_WAIT_MS);
      this.redis.once('ready', onReady);
    });
    if (!ready) this.logger.warn(`Redis not reachable after ${CONNECT_WAIT_MS} ms; starting without it, not ready until it is`);
  }

  async get(key: string): Promise<SessionRecord | undefined> {
    // GETEX renews the expiry with the read, in one round trip (Redis ≥ 6.2).
    const value = await this.run(() => this.redis.getex(this.connections.keys.session(key), 'PX', this.ttlMs));
    return value ? (JSON.parse(value) as SessionRecord) : undefined;
  }

  async save(key: string, record: SessionRecord): Promise<void> {
    await this.run(() => this.redis.set(this.connections.keys.session(key), JSON.stringify(record), 'PX', this.ttlMs));
  }

  /** A list, newest first, trimmed and its expiry renewed in the same transaction: one small write an answer. */
  async keepMessage(key: string, answerId: string, messageId: string, limit: number): Promise<void> {
    const list = this.connections.keys.messages(key);
    const entry = JSON.stringify([answerId, messageId]);
    await this.run(async () =>
      repliesOf(
        await this.redis
          .multi()
          .lpush(list, entry)
          .ltrim(list, 0, limit - 1)
          .pexpire(list, this.ttlMs)
          .exec(),
      ),
    );
  }

  /**
   * The newest entry for the answer; else the record's own `messages` (written there by versions before
   * this one: a rolling update keeps their answers rateable). Both in one round trip.
   */
  async findMessage(key: string, answerId: string): Promise<string | undefined> {
    const keys = this.connections.keys;
    const [entries, record] = (await this.run(async () =>
      repliesOf(await this.redis.pipeline().lrange(keys.messages(key), 0, -1).get(keys.session(key)).exec()),
    )) as [string[], string | null];
    for (const entry of entries) {
      const [answer, message] = JSON.parse(entry) as [string, string];
      if (answer === answerId) return message;
    }
    return record ? (JSON.parse(record) as RecordOfEarlierVersions).messages?.[answerId] : undefined;
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
