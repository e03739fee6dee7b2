import { lastValueFrom, of } from 'rxjs';
import { leased } from './leased';
import { Lease, LeaseState, SessionLease } from './session-lease';

/** A promise and its resolve, to answer a call when the test says so. */
function pending<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

/** A lease whose attempts the test answers one by one; it records what happened in `calls`. */
class ScriptedLease extends SessionLease {
  readonly attempts: Array<(lease: Lease | undefined) => void> = [];
  readonly released: Lease[] = [];

  constructor(private readonly calls: string[]) {
    super();
  }

  tryAcquire(): Promise<Lease | undefined> {
    this.calls.push('acquire');
    const attempt = pending<Lease | undefined>();
    this.attempts.push(attempt.resolve);
    return attempt.promise;
  }
  renew(): Promise<LeaseState> {
    return Promise.resolve('held');
  }
  release(lease: Lease): Promise<void> {
    this.released.push(lease);
    return Promise.resolve();
  }
}

const LEASE = { session: 's', value: 'me:1' };

/** Until `condition` holds, letting the promises in flight settle (no timer involved). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('leased', () => {
  it('reads along with the first attempt at the lease, not after it: one round trip before the work', async () => {
    const calls: string[] = [];
    const leases = new ScriptedLease(calls);
    const read = () => (calls.push('read'), Promise.resolve('record as read'));
    const answer = lastValueFrom(leased(leases, 's', 'interrupt', read, (found) => of(`asked with ${found}`)));
    await until(() => leases.attempts.length === 1);
    // The lease has not answered yet, and the read has left already: after the lease's command (the order Redis runs them in).
    expect(calls).toEqual(['acquire', 'read']);
    leases.attempts[0](LEASE);
    await expect(answer).resolves.toBe('asked with record as read');
    expect(calls).toEqual(['acquire', 'read']);
    expect(leases.released).toEqual([LEASE]);
  });

  it('reads again once a later attempt takes the lease: what it read while another held it may be stale', async () => {
    const calls: string[] = [];
    const leases = new ScriptedLease(calls);
    let reads = 0;
    const read = () => (calls.push('read'), Promise.resolve(`read ${++reads}`));
    const answer = lastValueFrom(leased(leases, 's', 'queue', read, (found) => of(`asked with ${found}`)));
    await until(() => leases.attempts.length === 1);
    leases.attempts[0](undefined);
    await until(() => leases.attempts.length === 2);
    expect(calls).toEqual(['acquire', 'read', 'acquire']);
    leases.attempts[1](LEASE);
    await expect(answer).resolves.toBe('asked with read 2');
    expect(calls).toEqual(['acquire', 'read', 'acquire', 'read']);
  });

  it('fails with the read, the lease it took released, and never starts the work', async () => {
    const leases = new ScriptedLease([]);
    const work = jest.fn(() => of('asked'));
    const answer = lastValueFrom(leased(leases, 's', 'interrupt', () => Promise.reject(new Error('store down')), work));
    await until(() => leases.attempts.length === 1);
    leases.attempts[0](LEASE);
    await expect(answer).rejects.toThrow('store down');
    expect(work).not.toHaveBeenCalled();
    expect(leases.released).toEqual([LEASE]);
  });

  it('fails with the store unavailable when the first attempt does (the early read failing too)', async () => {
    const leases = new ScriptedLease([]);
    leases.tryAcquire = () => Promise.reject(new Error('connection lost'));
    const answer = lastValueFrom(
      leased(
        leases,
        's',
        'interrupt',
        () => Promise.reject(new Error('connection lost')),
        () => of('asked'),
      ),
    );
    await expect(answer).rejects.toMatchObject({ name: 'SessionStoreUnavailableError' });
  });
});
