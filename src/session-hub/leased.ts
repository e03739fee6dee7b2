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
 * `work` (a Dify call for `session`, given what `read` found: the session's record) under the
 * session's lease: started once this instance holds it, renewed while it runs, released when it
 * ends or is cancelled. Fails with AnswerTakenOverError when another instance took the session over
 * or the lease was lost, with SessionBusyError when the lease did not come in time, and with what
 * `read` fails with (the lease then released).
 */
export function leased<R, T>(
  leases: SessionLease,
  session: string,
  bargeIn: TurnConfig['bargeIn'],
  read: () => Promise<R>,
  work: (found: R) => Observable<T>,
): Observable<T> {
  return defer(() => acquire(leases, session, bargeIn, read)).pipe(
    switchMap(
      ({ lease, found }) =>
        new Observable<T>((subscriber) => {
          const inner = defer(found).pipe(switchMap(work)).subscribe(subscriber);
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

/**
 * The lease, and how to have what `read` finds. The first attempt and the read leave together, the
 * lease's command first: with Redis both go over the store's one connection (to the session's node
 * on a Cluster: its keys share a slot), which runs them in that order, so the read sees the record
 * as it is once the lease is taken, as if sent after it, without a round trip of its own. That read
 * is used only if this attempt took the lease; after a wait the holder may have changed the record
 * since, so it is read again.
 */
async function acquire<R>(
  leases: SessionLease,
  session: string,
  bargeIn: TurnConfig['bargeIn'],
  read: () => Promise<R>,
): Promise<{ lease: Lease; found: () => Promise<R> }> {
  const deadline = Date.now() + WAIT_MS[bargeIn];
  const first = tryAcquire(leases, session, bargeIn);
  const early = read();
  early.catch(() => undefined); // its failure counts only if the first attempt takes the lease
  let lease = await first;
  if (lease) return { lease, found: () => early };
  for (;;) {
    if (Date.now() > deadline) throw new SessionBusyError();
    await sleep(RETRY_MS);
    lease = await tryAcquire(leases, session, bargeIn);
    if (lease) return { lease, found: read };
  }
}

function tryAcquire(leases: SessionLease, session: string, bargeIn: TurnConfig['bargeIn']): Promise<Lease | undefined> {
  return leases.tryAcquire(session, bargeIn === 'interrupt').catch((error: unknown) => {
    throw new SessionStoreUnavailableError(error);
  });
}
