/** Open connections per client address, for the per-IP cap. */
export class ConnectionsPerIp {
  private readonly counts = new Map<string, number>();

  constructor(private readonly max: number) {}

  hasRoom(ip: string): boolean {
    return (this.counts.get(ip) ?? 0) < this.max;
  }

  opened(ip: string): void {
    this.counts.set(ip, (this.counts.get(ip) ?? 0) + 1);
  }

  closed(ip: string): void {
    const left = (this.counts.get(ip) ?? 1) - 1;
    if (left > 0) this.counts.set(ip, left);
    else this.counts.delete(ip);
  }
}
