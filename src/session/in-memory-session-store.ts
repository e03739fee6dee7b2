import { FairLru } from './fair-lru';
import { principalOf, SessionRecord, SessionStore } from './session-store';

interface Entry {
  record: SessionRecord;
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
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) return undefined;
    this.touch(key, entry.record);
    return entry.record;
  }

  async save(key: string, record: SessionRecord): Promise<void> {
    this.entries.delete(key);
    this.touch(key, record);
    this.evict();
  }

  async whyUnready(): Promise<string | undefined> {
    return undefined;
  }

  private touch(key: string, record: SessionRecord): void {
    this.entries.set(key, principalOf(key), { record, expiresAt: this.now() + this.ttlMs });
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
