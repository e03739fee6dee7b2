import { randomUUID } from 'node:crypto';
import type { RedisClient } from './redis-connection';
import type { RedisKeys } from './redis-keys';

/** The probe key outlives a few missed probes, then goes: keys of instances long gone do not pile up. */
const PROBE_TTL_MS = 60_000;

/**
 * Readiness of a Redis that must take writes: a PING is answered by a Redis that refuses every SET
 * (full under `maxmemory` with `noeviction`: OOM; a read-only replica: READONLY), while every
 * session save would fail. So the probe writes a fresh value to a key of this instance's own
 * (`<prefix>:ready:{<instance id>}`, no key that every instance hammers; on a Cluster, the node its tag
 * lands on) and reads it back, in one
 * round trip. Resolves to why Redis cannot serve, or undefined when it can; never rejects.
 */
export class RedisWriteProbe {
  private readonly key: string;

  constructor(
    private readonly redis: RedisClient,
    keys: RedisKeys,
    instanceId: string = randomUUID(),
  ) {
    this.key = keys.ready(instanceId);
  }

  async whyUnready(): Promise<string | undefined> {
    if (this.redis.status !== 'ready') return `Redis is not connected (${this.redis.status})`;
    const written = randomUUID();
    try {
      const results = (await this.redis.pipeline().set(this.key, written, 'PX', PROBE_TTL_MS).get(this.key).exec()) ?? [];
      const refused = results.find(([error]) => error)?.[0];
      if (refused) return `Redis refused the readiness write: ${refused.message}`;
      return results[1]?.[1] === written ? undefined : 'Redis did not return the readiness value just written';
    } catch (error) {
      return `Redis: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
}
