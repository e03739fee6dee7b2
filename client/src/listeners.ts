type Listener<T> = (payload: T) => void;

/**
 * Typed event listeners. A listener that throws cannot leave the client half-way through a message:
 * its error is rethrown on its own, outside the client (an uncaught error, as from any event handler).
 */
export class Listeners<Events extends object> {
  private readonly byEvent: { [K in keyof Events]?: Set<Listener<Events[K]>> } = {};

  /** Calls `listener` with each `event` from now on; returns the function that stops it. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const listeners = (this.byEvent[event] ??= new Set());
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    for (const listener of this.byEvent[event] ?? []) {
      try {
        listener(payload);
      } catch (error) {
        setTimeout(() => {
          throw error;
        });
      }
    }
  }
}
