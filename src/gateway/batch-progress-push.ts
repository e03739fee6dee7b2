import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { batchProgress, BatchQueue } from '../batch';
import type { BatchProgressMessage } from '../protocol';

type Listener = (message: BatchProgressMessage) => void;

/**
 * `batch_progress` to the connections of a task's principal: one subscription to the queue's updates
 * for every connection, each update handed to that principal's listeners only.
 */
@Injectable()
export class BatchProgressPush implements OnModuleDestroy {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly subscription: Subscription;

  constructor(queue: BatchQueue) {
    this.subscription = queue.updates$.subscribe(({ principal, task }) => {
      const listeners = this.listeners.get(principal);
      if (!listeners) return;
      const message = batchProgress(task);
      for (const listener of listeners) listener(message);
    });
  }

  /** Returns what stops it. */
  listen(principal: string, listener: Listener): () => void {
    const listeners = this.listeners.get(principal) ?? new Set<Listener>();
    this.listeners.set(principal, listeners);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.listeners.get(principal) === listeners) this.listeners.delete(principal);
    };
  }

  onModuleDestroy(): void {
    this.subscription.unsubscribe();
  }
}
