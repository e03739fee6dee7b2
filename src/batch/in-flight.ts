/** The items this instance is answering, by task, each with what stops it. */
export class InFlight {
  private readonly tasks = new Map<string, Map<number, () => void>>();

  get size(): number {
    let size = 0;
    for (const items of this.tasks.values()) size += items.size;
    return size;
  }

  /** Returns what to call when the item ended by itself. */
  add(taskId: string, index: number, stop: () => void): () => void {
    const items = this.tasks.get(taskId) ?? new Map<number, () => void>();
    this.tasks.set(taskId, items);
    items.set(index, stop);
    return () => {
      if (items.get(index) !== stop) return;
      items.delete(index);
      if (items.size === 0) this.tasks.delete(taskId);
    };
  }

  stopTask(taskId: string): void {
    const items = this.tasks.get(taskId);
    this.tasks.delete(taskId);
    for (const stop of items?.values() ?? []) stop();
  }

  stopAll(): void {
    for (const taskId of [...this.tasks.keys()]) this.stopTask(taskId);
  }
}
