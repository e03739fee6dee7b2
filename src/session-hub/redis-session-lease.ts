import { randomUUID } from 'node:crypto';
import { RedisClient, RedisKeys } from '../session';
import { Lease, LeaseState, SessionLease } from './session-lease';

/** An instance that dies (or is cut off) loses its leases this long after its last renewal. */
export const LEASE_TTL_MS = 5000;
/**
 * KEYS: lease, stop request. ARGV: lease TTL. Asks whoever holds the lease now to stop: its next
 * renewal hears it. Only a question that found the session taken sends it (BARGE_IN=interrupt).
 */
const ASK_TO_STOP = `
local holder = redis.call('GET', KEYS[1])
if holder then redis.call('SET', KEYS[2], holder, 'PX', ARGV[1]) end
return 1`;

/** Renews the lease if it is still this holder's, and says whether another asked it to stop. */
const RENEW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'lost' end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if redis.call('GET', KEYS[2]) == ARGV[1] then return 'stop-requested' end
return 'held'`;

/** Deletes the lease (and a stop request for it) only if it is still this holder's. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1], KEYS[2]) end
return 1`;

/** The scripts above as commands of the connection (EVALSHA: their text goes to Redis once, not with every call). */
type Leasing = RedisClient & {
  leaseAskToStop(lease: string, stop: string, ttlMs: number): Promise<number>;
  leaseRenew(lease: string, stop: string, value: string, ttlMs: number): Promise<LeaseState>;
  leaseRelease(lease: string, stop: string, value: string): Promise<number>;
};

/**
 * Session leases in Redis: a plain SET NX PX (the cheapest command that can take it: a question's one
 * round trip before its upstream call, with the record's read) with a value no other taking shares
 * (this instance's id and its count of takings); renewal and release are scripts that act only while
 * the value is still the holder's, so a holder that paused past its expiry finds its lease lost and
 * stops. A session's keys share its hash slot.
 */
export class RedisSessionLease extends SessionLease {
  private readonly instance = randomUUID();
  private taken = 0;
  private readonly redis: Leasing;

  constructor(
    redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    super();
    redis.defineCommand('leaseAskToStop', { numberOfKeys: 2, lua: ASK_TO_STOP });
    redis.defineCommand('leaseRenew', { numberOfKeys: 2, lua: RENEW });
    redis.defineCommand('leaseRelease', { numberOfKeys: 2, lua: RELEASE });
    this.redis = redis as Leasing;
  }

  async tryAcquire(session: string, interrupt: boolean): Promise<Lease | undefined> {
    const { lease, stop } = this.keys.lease(session);
    const value = `${this.instance}:${++this.taken}`;
    if ((await this.redis.set(lease, value, 'PX', LEASE_TTL_MS, 'NX')) === 'OK') return { session, value };
    if (interrupt) await this.redis.leaseAskToStop(lease, stop, LEASE_TTL_MS);
    return undefined;
  }

  async renew(lease: Lease): Promise<LeaseState> {
    const keys = this.keys.lease(lease.session);
    return this.redis.leaseRenew(keys.lease, keys.stop, lease.value, LEASE_TTL_MS);
  }

  async release(lease: Lease): Promise<void> {
    const keys = this.keys.lease(lease.session);
    await this.redis.leaseRelease(keys.lease, keys.stop, lease.value);
  }
}
