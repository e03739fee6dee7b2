import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { firstValueFrom, fromEvent, Observable, Subject } from 'rxjs';
import { RedisClient, RedisConnections } from '../session';

/**
 * How often a Cluster's subscriber looks where the slots are. ioredis subscribes a shard's channels
 * again on its new master once it sees the slots moved, but a failover only tells a subscriber so by
 * a SUNSUBSCRIBE it does not act on: without looking, the sessions of a failed-over shard stay deaf.
 */
const SLOTS_REFRESH_MS = 1000;
/** A SUBSCRIBE Redis refused (a Cluster's shard changing hands) is tried again this often while the channel is wanted. */
const RESUBSCRIBE_MS = 1000;

/** One session's channel, while rooms of this instance listen to it. */
interface Listened {
  answers: Subject<string>;
  /** How many rooms of this instance listen (each of them once, while it has connections). */
  rooms: number;
  /** Its SUBSCRIBE is on its way: settles once in force, or after the wait a joining room is allowed. */
  subscribing?: Promise<void>;
}

/**
 * New answers announced to the instances that have a room for their session, and to no other: each
 * session has its own channel (`RedisKeys.announcements`, in the session's hash slot), subscribed on
 * this instance's one subscriber connection while a room of the session is here (counted per
 * channel: the first room subscribes, the last one leaving unsubscribes). On a Cluster, sharded
 * pub/sub (SSUBSCRIBE / SPUBLISH, Redis ≥ 7): a message travels only within the session's shard,
 * with one subscriber connection per shard (ioredis's `shardedSubscribers`). ioredis subscribes
 * again after a reconnect or a failover (SLOTS_REFRESH_MS), and keeps a SUBSCRIBE made while Redis
 * is away until it is back.
 */
export class RedisAnnouncements {
  private readonly logger = new Logger(RedisAnnouncements.name);
  private readonly listener: RedisClient;
  private readonly sharded: boolean;
  private readonly channels = new Map<string, Listened>();

  constructor(
    private readonly publisher: RedisClient,
    private readonly connections: RedisConnections,
    /** How long a joining room may wait for its channel's SUBSCRIBE (REDIS_COMMAND_TIMEOUT_MS). */
    private readonly waitMs: number,
  ) {
    this.sharded = connections.config.mode === 'cluster';
    // No retry limit: a SUBSCRIBE made while Redis is away waits for it, and is in force once it is back.
    this.listener = connections.open(
      { enableOfflineQueue: true, maxRetriesPerRequest: null },
      { shardedSubscribers: true, slotsRefreshInterval: SLOTS_REFRESH_MS },
    );
    this.listener.on('error', () => undefined); // readiness says when it is down
    this.listener.on(this.sharded ? 'smessage' : 'message', (channel: string, answerId: string) =>
      this.channels.get(channel)?.answers.next(answerId),
    );
  }

  /** Resolves once the subscriber connection is up, or after `withinMs` (Redis away: the service starts without it). */
  async untilConnected(withinMs: number): Promise<void> {
    if (this.listener.status === 'ready') return;
    const ready = firstValueFrom(fromEvent(this.listener, 'ready'));
    await Promise.race([ready, sleep(withinMs, undefined, { ref: false })]);
  }

  whyUnready(): string | undefined {
    return this.listener.status === 'ready' ? undefined : 'not connected to hear the answers other instances announce (Redis)';
  }

  announce(session: string, answerId: string): void {
    const channel = this.keys.announcements(session);
    const published = this.sharded ? this.publisher.spublish(channel, answerId) : this.publisher.publish(channel, answerId);
    published.catch(() => undefined);
  }

  /** The session's new answers, while subscribed: the first subscriber here subscribes its channel, the last one unsubscribes it. */
  announcements(session: string): Observable<string> {
    return new Observable<string>((subscriber) => {
      const channel = this.keys.announcements(session);
      const listened = this.listen(channel);
      const answers = listened.answers.subscribe(subscriber);
      return () => {
        answers.unsubscribe();
        this.unlisten(channel, listened);
      };
    });
  }

  /**
   * Until when a room that joins now waits to hear the session's announcements (its channel's
   * SUBSCRIBE on its way, at most `waitMs`); undefined when it hears them already, or cannot now
   * (the connection is down: readiness says so, and the room works on for this instance's connections).
   */
  untilHeard(session: string): Promise<void> | undefined {
    if (this.listener.status !== 'ready') return undefined;
    return this.channels.get(this.keys.announcements(session))?.subscribing;
  }

  close(): void {
    this.listener.disconnect();
  }

  private get keys() {
    return this.connections.keys;
  }

  private listen(channel: string): Listened {
    let listened = this.channels.get(channel);
    if (!listened) {
      listened = { answers: new Subject(), rooms: 0 };
      this.channels.set(channel, listened);
      this.subscribe(channel, listened);
    }
    listened.rooms++;
    return listened;
  }

  private unlisten(channel: string, listened: Listened): void {
    if (--listened.rooms > 0 || this.channels.get(channel) !== listened) return;
    this.channels.delete(channel);
    // After its SUBSCRIBE on the same connection (the same shard's): Redis takes them in order.
    const unsubscribed = this.sharded ? this.listener.sunsubscribe(channel) : this.listener.unsubscribe(channel);
    unsubscribed.catch(() => undefined);
  }

  private subscribe(channel: string, listened: Listened): void {
    const wanted = () => this.channels.get(channel) === listened;
    const subscribed = (this.sharded ? this.listener.ssubscribe(channel) : this.listener.subscribe(channel)).then(
      () => undefined,
      (error: unknown) => {
        if (!wanted()) return;
        this.logger.warn(`Subscribing to a session's announcements failed, tried again in ${RESUBSCRIBE_MS} ms: ${String(error)}`);
        setTimeout(() => wanted() && this.subscribe(channel, listened), RESUBSCRIBE_MS).unref();
      },
    );
    const settled = Promise.race([subscribed, sleep(this.waitMs, undefined, { ref: false })]).then(() => {
      if (listened.subscribing === settled) listened.subscribing = undefined;
    });
    listened.subscribing = settled;
  }
}
