import { setTimeout as sleep } from 'node:timers/promises';
import { map, Observable, takeWhile, throwError, timeout } from 'rxjs';
import { AnswerLog, AnswerLogReplay, AnswerUpstream, LogEntry, LoggedMessage, OwnerGoneError } from './answer-log';
import { RedisAnnouncements } from './redis-announcements';
import { RedisClient, RedisConnections, repliesOf, SessionStoreUnavailableError } from '../session';
import { RedisStreamFollowers } from './redis-stream-followers';
import { streamReader } from './redis-stream-readers';
import { RedisStreamWriter } from './redis-stream-writer';
import { compactedEntries, decodeEntry, ENDED, HANDED_OVER, HOLE, messageFields, upstreamFields } from './answer-log-entries';

/** At shutdown, how long the writes still under way (a hand-over mark among them) may take. */
const FLUSH_WAIT_MS = 2000;
/** A follower's mark lasts this long; it renews it every second (SessionRoom). */
const WATCH_TTL_MS = 3000;

type StreamEntry = [id: string, fields: string[]];

/**
 * The answer log in Redis Streams: one stream per answer (XADD, trimmed), compacted into one string
 * once the answer ended (kept the retention; the stream expires soon after), read whole (the string,
 * or else the stream's XRANGE) and followed through the instance's one reader of every followed
 * stream (RedisStreamFollowers). Ordered, readable from any instance, and what a
 * reader missed while it was away is still there, which pub/sub would have lost.
 */
export class RedisAnswerLog extends AnswerLog {
  readonly shared = true;
  /** The writes of every answer, batched once per REDIS_ANSWER_LOG_FLUSH_MS, on a connection of their own. */
  private readonly writer: RedisStreamWriter;
  private readonly writes: RedisClient;
  /** New answers, announced to the instances with a room for their session. */
  private readonly announcer: RedisAnnouncements;
  /** Who follows answers here, all on one reader (see redis-stream-readers.ts). */
  private readonly followers: RedisStreamFollowers;

  constructor(
    private readonly redis: RedisClient,
    private readonly connections: RedisConnections,
    retentionMs: number,
    /** REDIS_COMMAND_TIMEOUT_MS: the writes' command timeout, and how long a joining room may wait for its session's announcements. */
    commandTimeoutMs: number,
    clusterFollowPollMs: number,
    /** REDIS_ANSWER_LOG_FLUSH_MS: how long a write waits for others to go with it. */
    flushMs: number,
  ) {
    super();
    this.writes = connections.open({
      enableAutoPipelining: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: commandTimeoutMs,
    });
    this.writes.on('error', () => undefined); // the store's connection says it: the same Redis
    this.writer = new RedisStreamWriter(this.writes, retentionMs, HOLE, flushMs);
    this.announcer = new RedisAnnouncements(redis, connections, commandTimeoutMs);
    this.followers = new RedisStreamFollowers(streamReader(redis, connections, clusterFollowPollMs));
  }

  /** Resolves once announcements can be heard, or after `withinMs` (Redis away: the service starts without it). */
  untilConnected(withinMs: number): Promise<void> {
    return this.announcer.untilConnected(withinMs);
  }

  override whyUnready(): string | undefined {
    return this.announcer.whyUnready();
  }

  /** At shutdown: the writes under way (FLUSH_WAIT_MS at most), then the announcements' connection closes. */
  async close(): Promise<void> {
    await this.flush();
    this.announcer.close();
    this.followers.close();
    this.writes.disconnect();
  }

  append(session: string, answerId: string, entry: LoggedMessage): void {
    this.write(this.stream(session, answerId), messageFields(session, answerId, entry));
  }

  describe(session: string, answerId: string, upstream: AnswerUpstream): void {
    this.write(this.stream(session, answerId), upstreamFields(upstream));
  }

  end(session: string, answerId: string): void {
    this.writeLast(session, answerId, ENDED);
  }

  handOver(session: string, answerId: string): void {
    this.writeLast(session, answerId, HANDED_OVER);
  }

  async read(session: string, answerId: string): Promise<AnswerLogReplay | undefined> {
    const entries = await this.entries(session, answerId);
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
    return this.followers.follow(this.stream(session, answerId), cursor).pipe(
      // Nothing written for so long: the instance that streams it died.
      timeout({ each: idleMs, with: () => throwError(() => new OwnerGoneError()) }),
      map((fields) => decodeEntry(session, answerId, fields)),
      takeWhile((entry) => entry !== 'ended'),
      map((entry) => {
        if (entry === 'handed_over') throw new OwnerGoneError();
        return entry;
      }),
    );
  }

  watch(session: string, answerId: string): void {
    this.redis.set(this.keys.answer(session, answerId).watched, '1', 'PX', WATCH_TTL_MS).catch(() => undefined);
  }

  async watched(session: string, answerId: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.answer(session, answerId).watched).catch(() => 0)) === 1;
  }

  announce(session: string, answerId: string): void {
    this.announcer.announce(session, answerId);
  }

  announcements(session: string): Observable<string> {
    return this.announcer.announcements(session);
  }

  override untilHeard(session: string): Promise<void> | undefined {
    return this.announcer.untilHeard(session);
  }

  private get keys() {
    return this.connections.keys;
  }

  /** The stream of one answer of one session: knowing the answer id is not enough to read another session's. */
  private stream(session: string, answerId: string): string {
    return this.keys.answer(session, answerId).stream;
  }

  /** An answer's entries: compacted (it ended), or else its stream's; both in one round trip (one slot). */
  private async entries(session: string, answerId: string): Promise<StreamEntry[]> {
    const { ended, stream } = this.keys.answer(session, answerId);
    const [compact, entries] = await this.redis
      .multi()
      .get(ended)
      .xrange(stream, '-', '+')
      .exec()
      .then(repliesOf)
      .catch((error: unknown) => {
        // Redis down is not "no such answer": the client is told to try again (SESSION_STORE_UNAVAILABLE).
        throw new SessionStoreUnavailableError(error);
      });
    return typeof compact === 'string' ? compactedEntries(compact) : (entries as StreamEntry[]);
  }

  private async flush(): Promise<void> {
    await Promise.race([this.writer.flushed(), sleep(FLUSH_WAIT_MS, undefined, { ref: false })]);
  }

  private write(stream: string, fields: string[]): void {
    this.writer.append(stream, fields);
  }

  /** The answer's last entry: once written, its stream is compacted. */
  private writeLast(session: string, answerId: string, fields: string[]): void {
    const { stream, ended } = this.keys.answer(session, answerId);
    this.writer.append(stream, fields, ended);
  }
}
