import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisClient } from '../session';

/** Entries a stream keeps at most (trimmed approximately, as XADD MAXLEN ~ does cheaply). */
const MAX_ENTRIES = 100_000;
/** A batch that fails (Redis away) is tried again this often, this many times (about 15 s in all). */
const RETRY_MS = 250;
const ATTEMPTS = 60;

/**
 * KEYS[1]: a stream. ARGV: its length cap, its expiry in ms (0: leave it), then each entry: its id,
 * its number of fields, its fields. Adds a stream's entries of one batch in one command, so a
 * failover's redirections cannot reorder them (a later entry taken first would turn an earlier one
 * into a hole). An id taken already (a retry of a batch whose reply was lost) is skipped.
 */
const APPEND = `
local at = 3
for _ = 1, 100000 do
  if at > #ARGV then break end
  local count = tonumber(ARGV[at + 1])
  local added = redis.pcall('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], ARGV[at], unpack(ARGV, at + 2, at + 1 + count))
  if type(added) == 'table' and added.err and not string.find(added.err, 'equal or smaller') then return added end
  at = at + 2 + count
end
if ARGV[2] ~= '0' then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`;

type Appending = RedisClient & { appendEntries(stream: string, ...args: Array<string | number>): Promise<number> };

interface Entry {
  stream: string;
  /** Explicit ids (1-0, 2-0, …): an entry retried after Redis took it but its reply was lost is refused as a duplicate. */
  id: string;
  fields: string[];
  /** Whether this entry (re)sets the stream's expiry. */
  expire: boolean;
}

/**
 * Appends to Redis streams cheaply: every entry of every stream written in one event-loop turn goes
 * to Redis together (one command per stream, one pipeline per Redis node: the connection pipelines
 * automatically), and what
 * comes while a batch is on its way goes in the next, so the batches grow with the load instead of
 * the round trips. Per stream the order holds: one batch at a time, a failed one tried again before
 * the next. A stream's expiry is set with its first entry, with its last, and again when half the
 * retention has passed (an answer longer than the retention), not with every entry.
 */
export class RedisStreamWriter {
  private readonly redis: Appending;
  private readonly logger = new Logger('RedisAnswerLog');
  /** Each open stream's last id, and when its expiry was last set. */
  private readonly streams = new Map<string, { id: number; expirySetAt: number }>();
  private pending: Entry[] = [];
  private sending?: Promise<void>;

  constructor(
    /** A connection with `enableAutoPipelining`: one turn's commands leave in one write per node. */
    redis: RedisClient,
    private readonly retentionMs: number,
  ) {
    redis.defineCommand('appendEntries', { numberOfKeys: 1, lua: APPEND });
    this.redis = redis as Appending;
  }

  /** Appends `fields` to `stream`; `last`: nothing more comes (the stream's expiry counts from here). */
  append(stream: string, fields: string[], last = false): void {
    const state = this.streams.get(stream);
    const now = Date.now();
    const id = (state?.id ?? 0) + 1;
    const expire = !state || last || now - state.expirySetAt >= this.retentionMs / 2;
    if (last) this.streams.delete(stream);
    else this.streams.set(stream, { id, expirySetAt: expire ? now : state.expirySetAt });
    this.pending.push({ stream, id: `${id}-0`, fields, expire });
    this.sending ??= this.sendAll();
  }

  /** Resolves once what was appended so far is written (or given up). */
  async flushed(): Promise<void> {
    await this.sending;
  }

  private async sendAll(): Promise<void> {
    // The rest of this turn's entries join the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      await this.sendBatch(batch);
    }
    this.sending = undefined;
  }

  private async sendBatch(batch: Entry[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      batch = await this.failedOf(batch);
      if (batch.length === 0) return;
      if (attempt >= ATTEMPTS) {
        const streams = new Set(batch.map((entry) => entry.stream)).size;
        return this.logger.warn(`Answer log writes given up after ${ATTEMPTS} attempts: ${batch.length} entries of ${streams} answers`);
      }
      await sleep(RETRY_MS);
    }
  }

  /** Sends the entries, one command per stream (all together: auto-pipelined); returns those Redis did not take. */
  private async failedOf(batch: Entry[]): Promise<Entry[]> {
    const byStream = new Map<string, Entry[]>();
    for (const entry of batch) byStream.set(entry.stream, [...(byStream.get(entry.stream) ?? []), entry]);
    const failed = await Promise.all(
      [...byStream].map(async ([stream, entries]) => {
        const args = entries.flatMap(({ id, fields }) => [id, fields.length, ...fields]);
        const expire = entries.some((entry) => entry.expire) ? this.retentionMs : 0;
        return this.redis.appendEntries(stream, MAX_ENTRIES, expire, ...args).then(
          () => [],
          () => entries,
        );
      }),
    );
    return failed.flat();
  }
}
