import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { isCluster, RedisClient } from '../session';
import { COMPACTED_LUA } from './answer-log-entries';

/** Entries a stream keeps at most (trimmed approximately, as XADD MAXLEN ~ does cheaply). */
const MAX_ENTRIES = 100_000;
/** A batch that fails (Redis away) is tried again this often, this many times (about 15 s in all). */
const RETRY_MS = 250;
const ATTEMPTS = 60;
/** Entries of an open stream held after they are sent, to write again what Redis lost (a failover). */
const RESEND_WINDOW = 64;
/**
 * Entries one call for many streams carries at most (the next streams go in another): its arguments,
 * spread into the call, stay far below what a call takes, however much waited (Redis back after 15 s).
 */
const ENTRIES_PER_CALL = 1000;

/**
 * How long an ended answer's stream outlives its compaction: for its followers to read its end mark.
 * One node's or Sentinel's reader is woken by it at once, a Cluster's reads every
 * REDIS_CLUSTER_FOLLOW_POLL_MS (50 ms), a failed read is tried again after 250 ms; and a follower that
 * got nothing for 6 s (answer-following.ts) gives up on the stream anyway, for Dify's history. A
 * stream costs 4 KB at least: an answer slot's ended answers' streams, each kept this long, are
 * part of what one concurrent answer costs.
 */
export const ENDED_STREAM_GRACE_MS = 6000;

/**
 * KEYS[1]: a stream; KEYS[2]: with the stream's last batch, the key its entries are compacted into,
 * else KEYS[1] again (two keys always: ioredis pipelines a Cluster's commands by their first argument).
 * ARGV: its length cap, its expiry in ms (0: leave it), the number n of the batch's first entry (ids
 * are n-0, n+1-0, …), then each entry: its number of fields, its fields.
 * Adds a stream's entries of one batch in one command, so a failover's redirections cannot reorder
 * them. Entries the stream has already (a retry of a batch whose reply was lost) are skipped; a
 * batch that does not follow the stream's last entry (entries lost in between) is refused whole.
 * Once the last batch is written, the stream's entries go into KEYS[2] as one string kept for the
 * expiry (COMPACTED_LUA: a read of the stream once per answer, O(its entries), at most MAX_ENTRIES),
 * and the stream expires after ENDED_STREAM_GRACE_MS.
 * Returns the number of the stream's last entry: below the batch's last, the batch was refused.
 */
const APPEND_LUA = `${COMPACTED_LUA}
local function append(stream, compactInto, cap, expiry, id, at, stop)
  local top = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)[1]
  local last = top and tonumber(string.match(top[1], '^%d+')) or 0
  if id > last + 1 then return last end
  while at <= stop do
    local count = tonumber(ARGV[at])
    if id > last then redis.call('XADD', stream, 'MAXLEN', '~', cap, id .. '-0', unpack(ARGV, at + 1, at + count)) end
    id = id + 1
    at = at + 1 + count
  end
  if expiry ~= '0' then redis.call('PEXPIRE', stream, expiry) end
  local compact = compactInto ~= stream and compacted(redis.call('XRANGE', stream, '-', '+'))
  if compact then
    redis.call('SET', compactInto, compact, 'PX', expiry)
    redis.call('PEXPIRE', stream, ${ENDED_STREAM_GRACE_MS})
  end
  return math.max(last, id - 1)
end`;

/** One stream's batch: KEYS and ARGV as above. */
const APPEND = `${APPEND_LUA}
return append(KEYS[1], KEYS[2], ARGV[1], ARGV[2], tonumber(ARGV[3]), 4, #ARGV)`;

/**
 * Many streams' batches in one call (a Redis that is one node: a Cluster's streams lie in different
 * slots). KEYS: each stream and its compaction key, in pairs. ARGV: for each stream in turn, the
 * number of its entries' arguments, its length cap, its expiry, its first entry's number, then its
 * entries as APPEND takes them. Returns each stream's last entry number, in order.
 */
const APPEND_MANY = `${APPEND_LUA}
local tops, at = {}, 1
for i = 1, #KEYS, 2 do
  local size = tonumber(ARGV[at])
  tops[#tops + 1] = append(KEYS[i], KEYS[i + 1], ARGV[at + 1], ARGV[at + 2], tonumber(ARGV[at + 3]), at + 4, at + 3 + size)
  at = at + 4 + size
end
return tops`;

/** A Cluster's reply that a slot is served by another node now. */
const MOVED = /^MOVED\b/;

type Appending = RedisClient & {
  appendEntries(stream: string, compactInto: string, ...args: Array<string | number>): Promise<number>;
  appendMany(keyCount: number, ...keysThenArgs: Array<string | number>): Promise<number[]>;
};

interface Entry {
  /** Explicit ids (1-0, 2-0, …): an entry Redis has already is skipped, one it lacks is seen missing. */
  id: number;
  fields: string[];
}

/** What the writer knows of one stream it writes. */
interface Stream {
  next: number;
  expirySetAt: number;
  /** The last RESEND_WINDOW entries appended. */
  recent: Entry[];
  /** A hole was marked: nothing more is written to it. */
  broken: boolean;
}

/** One stream's entries of one batch. */
interface Batch {
  state: Stream;
  entries: Entry[];
  /** Whether the batch (re)sets the stream's expiry. */
  expire: boolean;
  /** The batch is the mark of a hole. */
  hole?: true;
  /** The batch ends the stream: where its entries are compacted once written. */
  compactInto?: string;
}

/**
 * Appends to Redis streams cheaply: every entry of every stream written within one window
 * (REDIS_ANSWER_LOG_FLUSH_MS from the first; 0: one event-loop turn) goes to Redis together (on one
 * node, one call for all the streams; on a Cluster, one per stream, one pipeline per node: the
 * connection pipelines automatically; a failed batch is tried again alone), and what
 * comes while a stream's batch is on its way goes in that stream's next, so the batches grow with the
 * load instead of the round trips. A window of a few tens of ms lets an answer streamed at a model's
 * pace (a chunk every 25 ms or so) write several chunks a command instead of one: that halved Redis's
 * CPU per chunk and most of what the service spends beyond the memory log; one call for all streams
 * instead of one each cut the service's garbage, which is per command (README § Redis cost).
 * Per stream the order holds: one batch at a time, a failed one tried again before the next; a
 * stream whose writes fail (its Cluster shard failing over) holds back its own entries only. A
 * stream's expiry is set with its first entry, with its last, and again when half the retention has
 * passed (an answer longer than the retention).
 *
 * Never a silent hole: when Redis lost entries (a failover that did not carry them, a batch given
 * up), the next batch finds the stream's last entry short of its first; the writer sends the
 * missing entries again if it still holds them, or else marks the hole (`holeMark`), after which
 * readers go to Dify for the rest and the writer writes nothing more to that stream.
 */
export class RedisStreamWriter {
  private readonly redis: Appending;
  private readonly logger = new Logger('RedisAnswerLog');
  /** The streams still written to (until their last entry is appended). */
  private readonly streams = new Map<string, Stream>();
  /** Each stream's entries waiting to be sent. */
  private readonly pending = new Map<string, Batch>();
  /** Streams with a batch on its way (or being tried again). */
  private readonly inFlight = new Set<string>();
  /** The batches on their way, for `flushed`. */
  private readonly sending = new Set<Promise<void>>();
  /** Cancels the send the entries waiting now are due for. */
  private scheduled?: () => void;
  /** Batches given up since the last warning: Redis away gives up every stream's within moments, said in one line. */
  private lost?: { answers: number; entries: number };

  constructor(
    /** A connection with `enableAutoPipelining`: one turn's commands leave in one write per node. */
    redis: RedisClient,
    private readonly retentionMs: number,
    private readonly holeMark: string[],
    /** How long the first entry of a send waits for others (REDIS_ANSWER_LOG_FLUSH_MS); 0: until the next turn. */
    private readonly windowMs = 0,
    /**
     * Whether a send's batches go in one call (APPEND_MANY): on one node, every command costs the
     * service far more than its bytes (README § Redis cost). A Cluster's go one per stream.
     */
    private readonly together = !isCluster(redis),
  ) {
    redis.defineCommand('appendEntries', { numberOfKeys: 2, lua: APPEND });
    redis.defineCommand('appendMany', { lua: APPEND_MANY });
    this.redis = redis as Appending;
  }

  /**
   * Appends `fields` to `stream`. With `compactInto`, nothing more comes: once written, the stream's
   * entries go into that key (its expiry counts from here) and the stream itself soon expires.
   */
  append(stream: string, fields: string[], compactInto?: string): void {
    const now = Date.now();
    const last = compactInto !== undefined;
    let state = this.streams.get(stream);
    const first = !state;
    state ??= { next: 1, expirySetAt: now, recent: [], broken: false };
    if (last) this.streams.delete(stream);
    else this.streams.set(stream, state);
    if (state.broken) return;
    const expire = first || last || now - state.expirySetAt >= this.retentionMs / 2;
    if (expire) state.expirySetAt = now;
    const entry = { id: state.next++, fields };
    state.recent.push(entry);
    if (state.recent.length > RESEND_WINDOW) state.recent.shift();
    const batch = this.pending.get(stream);
    if (batch) {
      batch.entries.push(entry);
      batch.expire ||= expire;
      batch.compactInto ??= compactInto;
    } else this.pending.set(stream, { state, entries: [entry], expire, compactInto });
    this.schedule();
  }

  /** Sends what waits now, without waiting for its window, and resolves once all that was appended so far is written (or given up). */
  async flushed(): Promise<void> {
    while (this.pending.size > 0 || this.sending.size > 0) {
      this.sendNow();
      // What waited for its stream's batch goes once that batch is back.
      await Promise.all(this.sending);
    }
  }

  /** The rest of this turn's (or window's) entries join the batches: they leave together at its end. */
  private schedule(): void {
    if (this.scheduled) return;
    if (this.windowMs === 0) {
      const immediate = setImmediate(() => this.sendNow());
      this.scheduled = () => clearImmediate(immediate);
    } else {
      const timer = setTimeout(() => this.sendNow(), this.windowMs);
      this.scheduled = () => clearTimeout(timer);
    }
  }

  /** The waiting batches go now, the send they were due for cancelled. */
  private sendNow(): void {
    this.scheduled?.();
    this.scheduled = undefined;
    this.sendWaiting();
  }

  /** Sends every waiting batch whose stream has none on its way; a stream's next batch waits for its last. */
  private sendWaiting(): void {
    const ready: Array<[string, Batch]> = [];
    for (const [stream, batch] of this.pending) {
      if (this.inFlight.has(stream)) continue;
      this.pending.delete(stream);
      if (!this.dropped(batch)) ready.push([stream, batch]);
    }
    for (const call of this.calls(ready)) {
      const together = call.length > 1 ? this.sendTogether(call) : undefined;
      call.forEach(([stream, batch], i) => {
        this.inFlight.add(stream);
        const first = together ? together.then((rests) => rests[i]) : this.send(stream, batch);
        const sent: Promise<void> = this.untilWritten(stream, first).finally(() => {
          this.inFlight.delete(stream);
          this.sending.delete(sent);
          if (this.pending.has(stream)) this.schedule();
        });
        this.sending.add(sent);
      });
    }
  }

  /** The ready batches as calls: on a Cluster one each; on one node together, up to ENTRIES_PER_CALL a call. */
  private calls(ready: Array<[string, Batch]>): Array<Array<[string, Batch]>> {
    if (!this.together) return ready.map((one) => [one]);
    const calls: Array<Array<[string, Batch]>> = [];
    let entries = Infinity;
    for (const one of ready) {
      if (entries + one[1].entries.length > ENTRIES_PER_CALL) {
        calls.push([]);
        entries = 0;
      }
      calls.at(-1)!.push(one);
      entries += one[1].entries.length;
    }
    return calls;
  }

  /**
   * One stream's batch, from its first attempt's outcome: tried again alone (RETRY_MS apart) until
   * written or ATTEMPTS are spent; other streams go on meanwhile.
   */
  private async untilWritten(stream: string, first: Promise<Batch | undefined>): Promise<void> {
    let rest = await first;
    for (let attempt = 1; rest !== undefined; attempt++) {
      if (attempt >= ATTEMPTS) return this.givenUp(rest.entries.length);
      await sleep(RETRY_MS);
      rest = this.dropped(rest) ? undefined : await this.send(stream, rest);
    }
  }

  /** Entries queued before their stream's hole was marked: readers stop at the mark, they are not sent. */
  private dropped(batch: Batch): boolean {
    return batch.state.broken && !batch.hole;
  }

  /** Sends one stream's batch; what is still to be written: the batch again, or what fills a hole before it. */
  private async send(stream: string, batch: Batch): Promise<Batch | undefined> {
    const top = await this.redis
      .appendEntries(stream, batch.compactInto ?? stream, ...this.header(batch), ...entryArgs(batch))
      .then(Number, (error: Error) => {
        this.redirected(error);
        return undefined;
      });
    return top === undefined ? batch : this.rest(batch, top);
  }

  /** Sends the batches of several streams in one call (one node's); what is still to be written of each. */
  private async sendTogether(ready: Array<[string, Batch]>): Promise<Array<Batch | undefined>> {
    const keys = ready.flatMap(([stream, batch]) => [stream, batch.compactInto ?? stream]);
    const args = ready.flatMap(([, batch]) => {
      const entries = entryArgs(batch);
      return [entries.length, ...this.header(batch), ...entries];
    });
    const tops = await this.redis.appendMany(keys.length, ...keys, ...args).catch(() => undefined);
    return ready.map(([, batch], i) => (tops === undefined ? batch : this.rest(batch, Number(tops[i]))));
  }

  /** A batch's length cap, expiry (0: leave it) and first entry's number, as the scripts take them. */
  private header(batch: Batch): number[] {
    return [MAX_ENTRIES, batch.expire ? this.retentionMs : 0, batch.entries[0].id];
  }

  /** What is still to be written of a batch once the stream's last entry is `top`. */
  private rest(batch: Batch, top: number): Batch | undefined {
    return top >= batch.entries.at(-1)!.id ? undefined : this.filling(batch, top);
  }

  private givenUp(entries: number): void {
    if (this.lost) {
      this.lost.answers++;
      this.lost.entries += entries;
      return;
    }
    this.lost = { answers: 1, entries };
    setTimeout(() => {
      const { answers, entries: total } = this.lost!;
      this.lost = undefined;
      this.logger.warn(`Answer log writes given up after ${ATTEMPTS} attempts: ${total} entries of ${answers} answers`);
    }, RETRY_MS).unref();
  }

  /**
   * On a Cluster, ioredis follows a MOVED of a pipelined command only when every command of the
   * pipeline got the same one, and otherwise neither follows it nor learns where the slot went: after
   * a failover, every retry would go to the demoted master. So the writer has the slots looked up.
   */
  private redirected(error: Error): void {
    if (isCluster(this.redis) && MOVED.test(error.message)) this.redis.refreshSlotsCache();
  }

  /** A batch the stream's last entry (`top`) falls short of: the missing entries then it, or a hole's mark. */
  private filling(batch: Batch, top: number): Batch {
    const { state } = batch;
    const held = state.recent.filter((entry) => entry.id > top && entry.id <= batch.entries.at(-1)!.id);
    if (held[0]?.id === top + 1) {
      this.logger.warn(`Answer log: ${batch.entries[0].id - 1 - top} entries of an answer were lost in Redis; written again`);
      return { ...batch, entries: held, expire: true };
    }
    this.logger.warn(`Answer log: entries of an answer were lost in Redis, too many to write again; marked for readers to go to Dify`);
    state.broken = true;
    return { state, entries: [{ id: top + 1, fields: this.holeMark }], expire: true, hole: true };
  }
}

/** A batch's entries as the scripts take them: each its number of fields, then its fields. */
function entryArgs(batch: Batch): Array<string | number> {
  return batch.entries.flatMap(({ fields }) => [fields.length, ...fields]);
}
