import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { BehaviorSubject, filter, firstValueFrom, map, Observable, retry, share, Subscription } from 'rxjs';
import { AnswerLog, AnswerLogReplay, AnswerUpstream, LogEntry, LoggedMessage, OwnerGoneError } from './answer-log';
import { RedisClient, RedisConnections, SessionStoreUnavailableError } from '../session';
import { RedisStreamWriter } from './redis-stream-writer';
import { decodeEntry, ENDED, HANDED_OVER, HOLE, messageFields, upstreamFields } from './answer-log-entries';

/** At shutdown, how long the writes still under way (a hand-over mark among them) may take. */
const FLUSH_WAIT_MS = 2000;
/** A follower's mark lasts this long; it renews it every second (SessionRoom). */
const WATCH_TTL_MS = 3000;

type StreamEntry = [id: string, fields: string[]];

/**
 * The answer log in Redis Streams: one stream per answer (XADD, trimmed, expiring with the
 * retention), read whole with XRANGE and followed with XREAD BLOCK on a connection of the follower's
 * own (a blocking read holds its connection). Ordered, readable from any instance, and what a
 * reader missed while it was away is still there, which pub/sub would have lost.
 */
export class RedisAnswerLog extends AnswerLog {
  readonly shared = true;
  private readonly logger = new Logger(RedisAnswerLog.name);
  /** The writes of every answer, batched once per event-loop turn, on a connection of their own. */
  private readonly writer: RedisStreamWriter;
  private readonly writes: RedisClient;
  /** Every announcement, on one subscriber connection for the whole process, while anyone listens. */
  private readonly announced = new Observable<{ channel: string; answerId: string }>((subscriber) => {
    const listener = this.connections.open({ enableOfflineQueue: true, maxRetriesPerRequest: 1 });
    listener.on('error', () => undefined);
    listener.on('pmessage', (_pattern: string, channel: string, answerId: string) => subscriber.next({ channel, answerId }));
    listener.psubscribe(this.keys.everyAnnouncement()).then(
      () => this.subscribed.next(true),
      (error: unknown) => subscriber.error(error),
    );
    return () => {
      this.subscribed.next(false);
      listener.disconnect();
    };
    // Redis down or hung: subscribe again a moment later, for as long as anyone listens.
  }).pipe(retry({ delay: 1000 }), share());

  /**
   * Held from the start: a session's first connection on this instance must not miss an
   * announcement while its PSUBSCRIBE is still on its way (a supervisor joins, the agent asks at once).
   */
  private readonly listening: Subscription;
  /** Whether the announcements' PSUBSCRIBE is in force: until it is, answers other instances announce are missed. */
  private readonly subscribed = new BehaviorSubject(false);

  constructor(
    private readonly redis: RedisClient,
    private readonly connections: RedisConnections,
    retentionMs: number,
    commandTimeoutMs: number,
  ) {
    super();
    this.writes = connections.open({
      enableAutoPipelining: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: commandTimeoutMs,
    });
    this.writes.on('error', () => undefined); // the store's connection says it: the same Redis
    this.writer = new RedisStreamWriter(this.writes, retentionMs, HOLE);
    this.listening = this.announced.subscribe();
  }

  /** Resolves once announcements are heard, or after `withinMs` (Redis away: the service starts without it). */
  async untilSubscribed(withinMs: number): Promise<void> {
    await Promise.race([firstValueFrom(this.subscribed.pipe(filter(Boolean))), sleep(withinMs, undefined, { ref: false })]);
  }

  override whyUnready(): string | undefined {
    return this.subscribed.value ? undefined : 'not subscribed to the answers other instances announce (Redis)';
  }

  /** At shutdown: the writes under way (FLUSH_WAIT_MS at most), then the announcements' connection closes. */
  async close(): Promise<void> {
    await this.flush();
    this.listening.unsubscribe();
    this.writes.disconnect();
  }

  append(session: string, answerId: string, entry: LoggedMessage): void {
    this.write(this.stream(session, answerId), messageFields(session, answerId, entry));
  }

  describe(session: string, answerId: string, upstream: AnswerUpstream): void {
    this.write(this.stream(session, answerId), upstreamFields(upstream));
  }

  end(session: string, answerId: string): void {
    this.write(this.stream(session, answerId), ENDED, true);
  }

  handOver(session: string, answerId: string): void {
    this.write(this.stream(session, answerId), HANDED_OVER, true);
  }

  async read(session: string, answerId: string): Promise<AnswerLogReplay | undefined> {
    // Redis down is not "no such answer": the client is told to try again (SESSION_STORE_UNAVAILABLE).
    const entries = (await this.redis.xrange(this.stream(session, answerId), '-', '+').catch((error: unknown) => {
      throw new SessionStoreUnavailableError(error);
    })) as StreamEntry[];
    if (entries.length === 0) return undefined;
    const replay: AnswerLogReplay = { messages: [], state: 'open', cursor: entries.at(-1)![0] };
    for (const [id, fields] of entries) {
      const entry = decodeEntry(session, answerId, fields);
      // A mark is the answer's last word here: what a late retry wrote after it is not the answer's.
      if (typeof entry === 'string') return { ...replay, state: entry, cursor: id };
      if ('upstream' in entry) replay.upstream = entry.upstream;
      else replay.messages.push(entry);
    }
    return replay;
  }

  follow(session: string, answerId: string, cursor: string, idleMs: number): Observable<LogEntry> {
    return new Observable<LogEntry>((subscriber) => {
      // A blocking read holds its connection, and may block longer than other commands may take.
      const reader = this.connections.open({ commandTimeout: idleMs + 1000, enableOfflineQueue: true, maxRetriesPerRequest: 1 });
      reader.on('error', () => undefined); // a failed read ends the follow; the connection's own errors say nothing more
      let position = cursor;
      let open = true;
      const read = async (): Promise<void> => {
        while (open) {
          const reply = await reader.xread('BLOCK', idleMs, 'STREAMS', this.stream(session, answerId), position);
          if (!reply) return subscriber.error(new OwnerGoneError());
          for (const [id, fields] of reply[0][1]) {
            position = id;
            const entry = decodeEntry(session, answerId, fields);
            if (entry === 'ended') return subscriber.complete();
            if (entry === 'handed_over') return subscriber.error(new OwnerGoneError());
            subscriber.next(entry);
          }
        }
      };
      read().catch((error: unknown) => open && subscriber.error(error));
      return () => {
        open = false;
        reader.disconnect();
      };
    });
  }

  watch(session: string, answerId: string): void {
    this.redis.set(this.keys.answer(session, answerId).watched, '1', 'PX', WATCH_TTL_MS).catch(() => undefined);
  }

  async watched(session: string, answerId: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.answer(session, answerId).watched).catch(() => 0)) === 1;
  }

  announce(session: string, answerId: string): void {
    this.redis.publish(this.keys.announcements(session), answerId).catch(() => undefined);
  }

  announcements(session: string): Observable<string> {
    const channel = this.keys.announcements(session);
    return this.announced.pipe(
      filter((announcement) => announcement.channel === channel),
      map(({ answerId }) => answerId),
    );
  }

  private get keys() {
    return this.connections.keys;
  }

  /** The stream of one answer of one session: knowing the answer id is not enough to read another session's. */
  private stream(session: string, answerId: string): string {
    return this.keys.answer(session, answerId).stream;
  }

  private async flush(): Promise<void> {
    await Promise.race([this.writer.flushed(), sleep(FLUSH_WAIT_MS, undefined, { ref: false })]);
  }

  private write(stream: string, fields: string[], last = false): void {
    this.writer.append(stream, fields, last);
  }
}
