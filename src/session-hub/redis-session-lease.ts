import { randomUUID } from 'node:crypto';
import { RedisClient, RedisKeys } from '../session';
import { Lease, LeaseState, SessionLease } from './session-lease';

/** An instance that dies (or is cut off) loses its leases this long after its last renewal. */
export const LEASE_TTL_MS = 5000;
/**
 * A session's fence (the counter of its fencing tokens) outlives its last lease this long: a token
 * only has to grow while some holder of the session may still be around.
 */
const FENCE_TTL_MS = 24 * 3600 * 1000;

/**
 * KEYS: lease, stop request, fence. ARGV: instance, lease TTL, '1' to ask the holder to stop, fence TTL.
 * The next fencing token and the lease in one step (one round trip), or asks the holder to stop.
 */
const ACQUIRE = `
local token = redis.call('INCR', KEYS[3])
redis.call('PEXPIRE', KEYS[3], ARGV[4])
local value = ARGV[1] .. ':' .. token
if redis.call('SET', KEYS[1], value, 'PX', ARGV[2], 'NX') then return value end
if ARGV[3] == '1' then
  local holder = redis.call('GET', KEYS[1])
  if holder then redis.call('SET', KEYS[2], holder, 'PX', ARGV[2]) end
end
return false`;

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
  leaseAcquire(lease: string, stop: string, fence: string, ...args: Array<string | number>): Promise<string | null>;
  leaseRenew(lease: string, stop: string, value: string, ttlMs: number): Promise<LeaseState>;
  leaseRelease(lease: string, stop: string, value: string): Promise<number>;
};

/**
 * Session leases in Redis: SET NX PX with a value of this instance's id and a fencing token (the
 * session's own counter, so it only grows, and no key every question of the fleet writes); renewal
 * and release are scripts that act only while the value is still the holder's, so a holder that
 * paused past its expiry finds its lease lost and stops. A session's keys share its hash slot.
 */
export class RedisSessionLease extends SessionLease {
  private readonly instance = randomUUID();
  private readonly redis: Leasing;

  constructor(
    redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    super();
    redis.defineCommand('leaseAcquire', { numberOfKeys: 3, lua: ACQUIRE });
    redis.defineCommand('leaseRenew', { numberOfKeys: 2, lua: RENEW });
    redis.defineCommand('leaseRelease', { numberOfKeys: 2, lua: RELEASE });
    this.redis = redis as Leasing;
  }

  async tryAcquire(session: string, interrupt: boolean): Promise<Lease | undefined> {
    const { lease, stop, fence } = this.keys.lease(session);
    const args = [this.instance, LEASE_TTL_MS, interrupt ? '1' : '0', FENCE_TTL_MS];
    const value = await this.redis.leaseAcquire(lease, stop, fence, ...args);
    return value ? { session, value } : undefined;
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
