/**
 * Runs each key's tasks one after the other, in the order given, the next after the previous
 * whether it failed or not; a key with nothing under way is forgotten.
 */
export class KeyedSequence {
  private readonly last = new Map<string, Promise<void>>();

  run(key: string, task: () => Promise<void>): Promise<void> {
    const next = (this.last.get(key) ?? Promise.resolve()).then(task, task);
    this.last.set(key, next);
    const done = () => void (this.last.get(key) === next && this.last.delete(key));
    next.then(done, done);
    return next;
  }

  /** Every key's last task under way. */
  underWay(): Promise<void>[] {
    return [...this.last.values()];
  }
}
