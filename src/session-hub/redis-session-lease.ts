import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { Lease, LeaseState, SessionLease } from './session-lease';

const PREFIX = 'realtime-rag:lease:';
/** One counter for every session: a fencing token only has to grow. */
const FENCE = 'realtime-rag:lease-fence';
/** An instance that dies (or is cut off) loses its leases this long after its last renewal. */
export const LEASE_TTL_MS = 5000;

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

/** Asks the current holder to stop: marks its lease value, which its next renewal sees. */
const REQUEST_STOP = `
local holder = redis.call('GET', KEYS[1])
if holder then redis.call('SET', KEYS[2], holder, 'PX', ARGV[1]) end
return 1`;

/**
 * Session leases in Redis: SET NX PX with a value of this instance's id and a fencing token
 * (INCR, so it only grows); renewal and release are scripts that act only while the value is still
 * the holder's, so a holder that paused past its expiry finds its lease lost and stops.
 */
export class RedisSessionLease extends SessionLease {
  private readonly instance = randomUUID();

  constructor(private readonly redis: Redis) {
    super();
  }

  async tryAcquire(session: string, interrupt: boolean): Promise<Lease | undefined> {
    const keys = this.keys(session);
    const token = await this.redis.incr(FENCE);
    const value = `${this.instance}:${token}`;
    if ((await this.redis.set(keys.lease, value, 'PX', LEASE_TTL_MS, 'NX')) === 'OK') return { session, value };
    if (interrupt) await this.redis.eval(REQUEST_STOP, 2, keys.lease, keys.stop, LEASE_TTL_MS);
    return undefined;
  }

  async renew(lease: Lease): Promise<LeaseState> {
    const keys = this.keys(lease.session);
    return (await this.redis.eval(RENEW, 2, keys.lease, keys.stop, lease.value, LEASE_TTL_MS)) as LeaseState;
  }

  async release(lease: Lease): Promise<void> {
    const keys = this.keys(lease.session);
    await this.redis.eval(RELEASE, 2, keys.lease, keys.stop, lease.value);
  }

  private keys(session: string) {
    const base = PREFIX + encodeURIComponent(session);
    return { lease: base, stop: `${base}:stop` };
  }
}
