import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { map, Observable, takeWhile, throwError, timeout } from 'rxjs';
import { AnswerLog, AnswerLogReplay, AnswerUpstream, LogEntry, LoggedMessage, LogState, OwnerGoneError } from './answer-log';
import { RedisAnnouncements } from './redis-announcements';
import { KeyedSequence, RedisClient, RedisConnections, SessionStoreUnavailableError } from '../session';
import { RedisStreamFollowers } from './redis-stream-followers';
import { streamReader } from './redis-stream-readers';

/** Entries an answer's stream keeps at most (trimmed approximately, as XADD MAXLEN ~ does cheaply). */
const MAX_ENTRIES = 100_000;
/** A write that fails (Redis away) is tried again this often, this many times (about 15 s in all). */
const WRITE_RETRY_MS = 250;
const WRITE_ATTEMPTS = 60;
/** At shutdown, how long the writes still under way (a hand-over mark among them) may take. */
const FLUSH_WAIT_MS = 2000;
/** A follower's mark lasts this long; it renews it every second (SessionRoom). */
const WATCH_TTL_MS = 3000;

type StreamEntry = [id: string, fields: string[]];

/**
 * The answer log in Redis Streams: one stream per answer (XADD, trimmed, expiring with the
 * retention), read whole with XRANGE and followed through the instance's one reader of every followed
 * stream (RedisStreamFollowers). Ordered, readable from any instance, and what a
 * reader missed while it was away is still there, which pub/sub would have lost.
 */
export class RedisAnswerLog extends AnswerLog {
  readonly shared = true;
  private readonly logger = new Logger(RedisAnswerLog.name);
  /** Each stream's last entry id (a number that grows), until its end mark. */
  private readonly sequence = new Map<string, number>();
  /** Each stream's writes, one after the other. */
  private readonly writing = new KeyedSequence();
  /** New answers, announced to the instances with a room for their session. */
  private readonly announcer: RedisAnnouncements;
  /** Who follows answers here, all on one reader (see redis-stream-readers.ts). */
  private readonly followers: RedisStreamFollowers;

  constructor(
    private readonly redis: RedisClient,
    private readonly connections: RedisConnections,
    private readonly retentionMs: number,
    /** REDIS_COMMAND_TIMEOUT_MS: how long a joining room may wait for its session's announcements. */
    commandTimeoutMs: number,
    clusterFollowPollMs: number,
  ) {
    super();
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
  }

  append(session: string, answerId: string, entry: LoggedMessage): void {
    const fields = ['m', JSON.stringify(entry.message), ...(entry.feature ? ['f', entry.feature] : [])];
    this.write(this.stream(session, answerId), fields);
  }

  describe(session: string, answerId: string, upstream: AnswerUpstream): void {
    this.write(this.stream(session, answerId), ['d', JSON.stringify(upstream)]);
  }

  end(session: string, answerId: string): void {
    this.write(this.stream(session, answerId), ['e', '1'], true);
  }

  handOver(session: string, answerId: string): void {
    this.write(this.stream(session, answerId), ['h', '1'], true);
  }

  async read(session: string, answerId: string): Promise<AnswerLogReplay | undefined> {
    // Redis down is not "no such answer": the client is told to try again (SESSION_STORE_UNAVAILABLE).
    const entries = (await this.redis.xrange(this.stream(session, answerId), '-', '+').catch((error: unknown) => {
      throw new SessionStoreUnavailableError(error);
    })) as StreamEntry[];
    if (entries.length === 0) return undefined;
    const replay: AnswerLogReplay = { messages: [], state: 'open', cursor: entries.at(-1)![0] };
    for (const [, fields] of entries) {
      const entry = parse(fields);
      if (typeof entry === 'string') replay.state = entry;
      else if ('upstream' in entry) replay.upstream = entry.upstream;
      else replay.messages.push(entry);
    }
    return replay;
  }

  follow(session: string, answerId: string, cursor: string, idleMs: number): Observable<LogEntry> {
    return this.followers.follow(this.stream(session, answerId), cursor).pipe(
      // Nothing written for so long: the instance that streams it died.
      timeout({ each: idleMs, with: () => throwError(() => new OwnerGoneError()) }),
      map((fields) => parse(fields)),
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

  private async flush(): Promise<void> {
    await Promise.race([Promise.all(this.writing.underWay()), sleep(FLUSH_WAIT_MS, undefined, { ref: false })]);
  }

  /**
   * Appends in order, one write of a stream after the other, each tried again while Redis is away
   * (a restart, a partition): a resuming client must never find a hole in the middle of an answer.
   */
  private write(streamKey: string, fields: string[], last = false): void {
    // Explicit ids (1-0, 2-0, …): a write retried after Redis did it but its reply was lost is refused as a duplicate.
    const id = (this.sequence.get(streamKey) ?? 0) + 1;
    if (last) this.sequence.delete(streamKey);
    else this.sequence.set(streamKey, id);
    void this.writing.run(streamKey, () => this.writeOnce(streamKey, `${id}-0`, fields, WRITE_ATTEMPTS));
  }

  private async writeOnce(streamKey: string, id: string, fields: string[], attempts: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const done = await this.redis
        .multi()
        .xadd(streamKey, 'MAXLEN', '~', MAX_ENTRIES, id, ...fields)
        .pexpire(streamKey, this.retentionMs)
        .exec()
        .then(
          (replies) => !replies?.some(([error]) => error && !/equal or smaller/.test(error.message)),
          () => false,
        );
      if (done) return;
      if (attempt >= attempts) return this.logger.warn(`Answer log write given up after ${attempts} attempts: ${streamKey}`);
      await sleep(WRITE_RETRY_MS);
    }
  }
}

/** A message or upstream entry, or the state a last entry (end or hand-over mark) leaves the answer in. */
function parse(fields: string[]): LogEntry | Exclude<LogState, 'open'> {
  const values = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) values.set(fields[i], fields[i + 1]);
  if (values.has('h')) return 'handed_over';
  const upstream = values.get('d');
  if (upstream !== undefined) return { upstream: JSON.parse(upstream) as AnswerUpstream };
  const message = values.get('m');
  if (message === undefined) return 'ended';
  const entry: LoggedMessage = { message: JSON.parse(message) as unknown, feature: values.get('f') };
  return entry;
}
