import { SessionRecord, SessionStore } from './session-store';

interface Entry {
  record: SessionRecord;
  expiresAt: number;
}

/**
 * Sessions in this process's memory, for a single instance. Bounded two ways: an entry unused for
 * `ttlMs` is forgotten (sliding expiry), and beyond `maxSessions` the least recently used goes.
 */
export class InMemorySessionStore extends SessionStore {
  readonly kind = 'memory';
  /** Insertion order is kept least recently used first: every touch re-inserts. */
  private readonly entries = new Map<string, Entry>();

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
    this.entries.set(key, { record, expiresAt: this.now() + this.ttlMs });
  }

  /** Drops expired entries from the old end, then the oldest beyond the cap. */
  private evict(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now && this.entries.size <= this.maxSessions) break;
      this.entries.delete(key);
    }
  }
}
