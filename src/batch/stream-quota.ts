/** Open event streams counted by principal, each principal up to `most` at once (on this instance). */
export class StreamQuota {
  private readonly open = new Map<string, number>();

  constructor(private readonly most: number) {}

  /** Counts a stream in; returns what ends it (once), or undefined when the principal has `most` open already. */
  take(principal: string): (() => void) | undefined {
    const open = this.open.get(principal) ?? 0;
    if (open >= this.most) return undefined;
    this.open.set(principal, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(principal) ?? 1) - 1;
      if (left === 0) this.open.delete(principal);
      else this.open.set(principal, left);
    };
  }
}
