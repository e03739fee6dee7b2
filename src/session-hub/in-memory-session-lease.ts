import { Lease, LeaseState, SessionLease } from './session-lease';

/** One instance: its session rooms already answer one question per session at a time. */
export class InMemorySessionLease extends SessionLease {
  tryAcquire(session: string): Promise<Lease | undefined> {
    return Promise.resolve({ session, value: 'local' });
  }
  renew(): Promise<LeaseState> {
    return Promise.resolve('held');
  }
  release(): Promise<void> {
    return Promise.resolve();
  }
}
