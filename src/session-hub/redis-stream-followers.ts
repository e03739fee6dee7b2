import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { Observable, Subscriber } from 'rxjs';
import { StreamEntry, StreamReader } from './redis-stream-readers';

/** A read that failed (Redis away, hung, failing over) is tried again this long after. */
const READ_RETRY_MS = 250;
/** A stream entry id, `<ms>-<seq>` or `<ms>` alone (`0`: from the start). */
const STREAM_ID = /^\d+(-\d+)?$/;

/** One follower of a stream: the last entry it got, and where its entries go. */
interface Follower {
  position: string;
  subscriber: Subscriber<string[]>;
}

/**
 * The followers of Redis streams on this instance (clients following answers another instance
 * streams), all served by one `StreamReader`: however many they are, the connections stay bounded,
 * and an instance's death that sends all its clients here is no storm of connections. Each follower
 * gets the entries after its own position, in order; a failed read is tried again from there, so
 * nothing is lost while Redis is away or fails over (the follower's own idle timeout still applies).
 */
export class RedisStreamFollowers {
  private readonly logger = new Logger(RedisStreamFollowers.name);
  private readonly followers = new Map<string, Set<Follower>>();
  private reading = false;
  private closed = false;

  constructor(private readonly reader: StreamReader) {}

  /** The fields of each entry of stream `key` after `cursor` (an entry id), as they come, until unsubscribed. */
  follow(key: string, cursor: string): Observable<string[]> {
    return new Observable<string[]>((subscriber) => {
      if (!STREAM_ID.test(cursor)) return subscriber.error(new Error(`Not a stream entry id: ${cursor}`));
      const follower: Follower = { position: cursor, subscriber };
      const ofStream = this.followers.get(key) ?? new Set<Follower>();
      this.followers.set(key, ofStream.add(follower));
      if (this.reading) this.reader.wake();
      else void this.readWhileFollowed();
      return () => {
        ofStream.delete(follower);
        if (ofStream.size === 0 && this.followers.get(key) === ofStream) this.followers.delete(key);
      };
    });
  }

  close(): void {
    this.closed = true;
    this.reader.close();
  }

  /** One read after the other over every followed stream, while any is followed. */
  private async readWhileFollowed(): Promise<void> {
    this.reading = true;
    let failing = false;
    while (this.followers.size > 0 && !this.closed) {
      const outcome = await this.reader.read(this.positions()).catch((error: Error) => error);
      if (this.closed) break;
      if (outcome instanceof Error) {
        if (!failing)
          this.logger.warn(`Following answers: reading Redis failed (${outcome.message}); trying again from each one's last entry`);
        failing = true;
        await sleep(READ_RETRY_MS);
        continue;
      }
      failing = false;
      for (const [key, entries] of outcome) this.deliver(key, entries);
    }
    this.reading = false;
  }

  /** Each followed stream, from its follower furthest behind. */
  private positions(): Map<string, string> {
    return new Map(
      [...this.followers].map(([key, followers]) => [
        key,
        [...followers].map((follower) => follower.position).reduce((a, b) => (compareIds(a, b) <= 0 ? a : b)),
      ]),
    );
  }

  private deliver(key: string, entries: StreamEntry[] | Error): void {
    for (const follower of [...(this.followers.get(key) ?? [])]) {
      if (entries instanceof Error) follower.subscriber.error(entries);
      else
        for (const [id, fields] of entries) {
          if (follower.subscriber.closed) break;
          if (compareIds(id, follower.position) <= 0) continue; // read for a follower further behind
          follower.position = id;
          follower.subscriber.next(fields);
        }
    }
  }
}

/** Orders stream entry ids (`<ms>` alone is `<ms>-0`): negative, zero or positive. */
function compareIds(a: string, b: string): number {
  const [aMs, aSeq = 0n] = a.split('-').map(BigInt);
  const [bMs, bSeq = 0n] = b.split('-').map(BigInt);
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  return aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}
