/** The right to call Dify for a session, held by one instance at a time. */
export interface Lease {
  session: string;
  /** Who holds it, and which of its takings this is (no two share it): a stale holder cannot renew or release a newer one. */
  value: string;
}

/** What a renewal found: still ours, taken over (another instance asked us to stop), or lost. */
export type LeaseState = 'held' | 'stop-requested' | 'lost';

/**
 * One Dify call per session at a time across every instance sharing the store: Dify mixes or
 * corrupts a conversation asked twice at once. A holder renews its lease while its answer streams
 * and releases it at the end; one that dies loses it when it expires. Another instance that needs
 * the session asks the holder to stop (BARGE_IN=interrupt) or waits (queue).
 */
export abstract class SessionLease {
  /** Takes the session's lease, or undefined while another holds it (asking it to stop, with `interrupt`). */
  abstract tryAcquire(session: string, interrupt: boolean): Promise<Lease | undefined>;
  abstract renew(lease: Lease): Promise<LeaseState>;
  abstract release(lease: Lease): Promise<void>;
}
