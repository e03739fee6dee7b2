import { ClientRequest } from 'node:http';

/**
 * Each Dify user's stream calls from their start until they have closed: the HTTP request ended
 * (its response read to the end or aborted, its socket closed or back in the pool) and the task's
 * stop call answered or given up. A call cancelled by its subscriber is open until then.
 */
export class OpenCalls {
  private readonly byUser = new Map<string, Set<Promise<void>>>();

  /** Counts a call of `user` until `closing` settles (it never rejects). */
  add(user: string, closing: Promise<void>): void {
    let calls = this.byUser.get(user);
    if (!calls) this.byUser.set(user, (calls = new Set()));
    const mine = calls;
    mine.add(closing);
    void closing.then(() => {
      mine.delete(closing);
      if (mine.size === 0 && this.byUser.get(user) === mine) this.byUser.delete(user);
    });
  }

  /** Resolves once no call of `user` is open. */
  async closed(user: string): Promise<void> {
    for (let calls = this.byUser.get(user); calls?.size; calls = this.byUser.get(user)) await Promise.all(calls);
  }
}

/** Resolves once `request` (a ClientRequest, when the call got that far) has closed. */
export function requestClosed(request: unknown): Promise<void> {
  if (!(request instanceof ClientRequest) || (request as { closed?: boolean }).closed) return Promise.resolve();
  return new Promise((resolve) => request.once('close', () => resolve()));
}
