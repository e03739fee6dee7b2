/**
 * Entries in least recently used order, each owned by a principal. Beyond a cap the least recently
 * used entry of the principal holding the most goes: one principal's many entries never push out
 * another's, as long as that other holds fewer (each keeps at least its equal share of the cap).
 */
export class FairLru<V> {
  /** Every entry, least recently used first (a touch re-inserts). */
  private readonly entries = new Map<string, { owner: string; value: V }>();
  /** Each owner's keys, least recently used first. */
  private readonly owners = new Map<string, Set<string>>();

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  /** Sets the entry as the most recently used. */
  set(key: string, owner: string, value: V): void {
    this.delete(key);
    this.entries.set(key, { owner, value });
    let keys = this.owners.get(owner);
    if (!keys) this.owners.set(owner, (keys = new Set()));
    keys.add(key);
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    const keys = this.owners.get(entry.owner)!;
    keys.delete(key);
    if (keys.size === 0) this.owners.delete(entry.owner);
  }

  clear(): void {
    this.entries.clear();
    this.owners.clear();
  }

  /** Every entry, least recently used first. */
  *[Symbol.iterator](): Iterator<[string, V]> {
    for (const [key, { value }] of this.entries) yield [key, value];
  }

  /** Drops entries beyond `max`, each the least recently used of whoever holds the most; returns them. */
  evictBeyond(max: number): Array<[string, V]> {
    const evicted: Array<[string, V]> = [];
    while (this.entries.size > max) {
      let largest: Set<string> | undefined;
      for (const keys of this.owners.values()) if (!largest || keys.size > largest.size) largest = keys;
      const key = largest!.values().next().value!;
      evicted.push([key, this.entries.get(key)!.value]);
      this.delete(key);
    }
    return evicted;
  }
}
