import { FairLru } from './fair-lru';
import { principalOf, SessionRecord, SessionStore } from './session-store';

interface Entry {
  record: SessionRecord;
  /** Dify's message of each kept answer, by answer id, oldest first. */
  messages: Map<string, string>;
  expiresAt: number;
}

/**
 * Sessions in this process's memory, for a single instance. Bounded two ways: an entry unused for
 * `ttlMs` is forgotten (sliding expiry), and beyond `maxSessions` the least recently used of the
 * principal holding the most goes (one principal's many sessions never evict another's).
 */
export class InMemorySessionStore extends SessionStore {
  readonly kind = 'memory';
  /** Least recently used first: every touch re-inserts. */
  private readonly entries = new FairLru<Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxSessions: number,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  get size(): number {
    return this.entries.size;
  }

  async get(key: string): Promise<SessionRecord | undefined> {
    return this.live(key)?.record;
  }

  async save(key: string, record: SessionRecord): Promise<void> {
    this.touch(key, { ...this.entryOf(key), record });
  }

  async keepMessage(key: string, answerId: string, messageId: string, limit: number): Promise<void> {
    const entry = this.entryOf(key);
    entry.messages.delete(answerId);
    entry.messages.set(answerId, messageId);
    for (const oldest of entry.messages.keys()) {
      if (entry.messages.size <= limit) break;
      entry.messages.delete(oldest);
    }
    this.touch(key, entry);
  }

  async findMessage(key: string, answerId: string): Promise<string | undefined> {
    return this.live(key)?.messages.get(answerId);
  }

  async whyUnready(): Promise<string | undefined> {
    return undefined;
  }

  /** The session's entry if it has not expired, renewed by the use. */
  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) return undefined;
    this.touch(key, entry);
    return entry;
  }

  /** The live entry, or a new empty one (not stored until touched). */
  private entryOf(key: string): Entry {
    return this.live(key) ?? { record: {}, messages: new Map(), expiresAt: 0 };
  }

  /** Stores the entry as the most recently used, renewed, then applies the bounds. */
  private touch(key: string, entry: Entry): void {
    this.entries.set(key, principalOf(key), { ...entry, expiresAt: this.now() + this.ttlMs });
    this.evict();
  }

  /** Drops expired entries from the old end, then the biggest holder's oldest beyond the cap. */
  private evict(): void {
    const now = this.now();
    const expired: string[] = [];
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) break;
      expired.push(key);
    }
    for (const key of expired) this.entries.delete(key);
    this.entries.evictBeyond(this.maxSessions);
  }
}
