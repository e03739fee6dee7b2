/** Open connections per key (a client address, a principal), for the per-IP and per-principal caps. */
export class ConnectionsPerKey {
  private readonly counts = new Map<string, number>();

  constructor(private readonly max: number) {}

  hasRoom(key: string): boolean {
    return (this.counts.get(key) ?? 0) < this.max;
  }

  opened(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  closed(key: string): void {
    const left = (this.counts.get(key) ?? 1) - 1;
    if (left > 0) this.counts.set(key, left);
    else this.counts.delete(key);
  }
}
