import { setTimeout as sleep } from 'node:timers/promises';
import { defer, Observable, switchMap } from 'rxjs';
import { TurnConfig } from '../config';
import { SessionStoreUnavailableError } from '../session';
import { Lease, SessionLease } from './session-lease';
import { AnswerTakenOverError, SessionBusyError } from './lease-errors';

/** A holder renews its lease this often (the lease lasts LEASE_TTL_MS, 5 s). */
const RENEW_EVERY_MS = 1000;
/** How often an instance that waits for a session's lease tries again. */
const RETRY_MS = 100;
/** How long a question waits for the session's lease: the holder stops within a renewal (interrupt), or ends its answer (queue). */
const WAIT_MS: Record<TurnConfig['bargeIn'], number> = { interrupt: 10_000, queue: 120_000 };

/**
 * `work` (a Dify call for `session`) under the session's lease: started once this instance holds
 * it, renewed while it runs, released when it ends or is cancelled. Fails with
 * AnswerTakenOverError when another instance took the session over or the lease was lost, and
 * with SessionBusyError when the lease did not come in time.
 */
export function leased<T>(leases: SessionLease, session: string, bargeIn: TurnConfig['bargeIn'], work: () => Observable<T>): Observable<T> {
  return defer(() => acquire(leases, session, bargeIn)).pipe(
    switchMap(
      (lease) =>
        new Observable<T>((subscriber) => {
          const inner = work().subscribe(subscriber);
          const renewal = setInterval(() => {
            leases.renew(lease).then(
              (state) => state !== 'held' && subscriber.error(new AnswerTakenOverError()),
              () => undefined, // the store is unreachable: keep going; a lost lease shows at the next renewal
            );
          }, RENEW_EVERY_MS);
          return () => {
            clearInterval(renewal);
            inner.unsubscribe();
            leases.release(lease).catch(() => undefined);
          };
        }),
    ),
  );
}

async function acquire(leases: SessionLease, session: string, bargeIn: TurnConfig['bargeIn']): Promise<Lease> {
  const deadline = Date.now() + WAIT_MS[bargeIn];
  for (;;) {
    const lease = await leases.tryAcquire(session, bargeIn === 'interrupt').catch((error: unknown) => {
      throw new SessionStoreUnavailableError(error);
    });
    if (lease) return lease;
    if (Date.now() > deadline) throw new SessionBusyError();
    await sleep(RETRY_MS);
  }
}
