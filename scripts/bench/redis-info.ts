/** What Redis says it did (INFO), summed over the nodes that hold the data: a standalone server, or a Cluster's masters. */
import { setTimeout as sleep } from 'node:timers/promises';
import { redisCli } from '../../test/support/redis-cluster';

/** Redis is quiet (the service's writes for a run all done) when an interval this long brings fewer commands than this. */
export const QUIET_MS = 250;
const QUIET_COMMANDS = 50;

export interface RedisCounters {
  /** Calls per command (commandstats), the benchmark's own INFO left out. */
  commands: Record<string, number>;
  netInputBytes: number;
  netOutputBytes: number;
  usedMemoryBytes: number;
  /** used_cpu_user + used_cpu_sys of the server process (its main thread and the rest). */
  cpuSeconds: number;
}

/** The counters now, summed over the nodes at these loopback ports. */
export async function redisCounters(ports: number[]): Promise<RedisCounters> {
  const infos = await Promise.all(ports.map((port) => redisCli(port, 'info', 'stats', 'memory', 'cpu', 'commandstats')));
  return countersOf(infos);
}

/** Waits until Redis has gone quiet: what the service still writes for a run once its clients have their answers is done. */
export async function untilQuiet(ports: number[]): Promise<void> {
  let last = totalCommands(await redisCounters(ports));
  for (;;) {
    await sleep(QUIET_MS);
    const now = totalCommands(await redisCounters(ports));
    if (now - last < QUIET_COMMANDS) return;
    last = now;
  }
}

/**
 * Streams that expire within `withinMs` on a node: (Lua) the node's stream keys whose TTL is that short.
 * Scripts see only their node's keys, which is what a Cluster's master is asked for here.
 */
const EXPIRING_STREAMS = `
local count = 0
for _, key in ipairs(redis.call('KEYS', '*')) do
  local ttl = redis.call('PTTL', key)
  if ttl > 0 and ttl < tonumber(ARGV[1]) and redis.call('TYPE', key).ok == 'stream' then count = count + 1 end
end
return count`;

/**
 * Waits until no stream expires within `withinMs`: an ended answer's stream outlives its compaction
 * by a short grace, and is no part of what stays for the retention.
 */
export async function untilExpiringStreamsGone(ports: number[], withinMs: number): Promise<void> {
  const expiring = async () => {
    const replies = await Promise.all(ports.map((port) => redisCli(port, 'eval', EXPIRING_STREAMS, '0', String(withinMs))));
    if (replies.some((reply) => !/^\d+$/.test(reply)))
      throw new Error(`Counting the streams about to expire failed: ${replies.join('; ')}`);
    return replies.reduce((sum, reply) => sum + Number(reply), 0);
  };
  while ((await expiring()) > 0) await sleep(QUIET_MS);
}

/** (Lua) The bytes (MEMORY USAGE) of a node's answer-log keys: every answer's stream or compacted log. */
const ANSWER_LOG_BYTES = `
local bytes = 0
for _, key in ipairs(redis.call('KEYS', '*:answer:*')) do bytes = bytes + (redis.call('MEMORY', 'USAGE', key) or 0) end
return bytes`;

/** What the answer logs' own keys take, summed over the nodes (the rest of used_memory: sessions, leases, Redis's own). */
export async function answerLogBytes(ports: number[]): Promise<number> {
  const replies = await Promise.all(ports.map((port) => redisCli(port, 'eval', ANSWER_LOG_BYTES, '0')));
  if (replies.some((reply) => !/^\d+$/.test(reply))) throw new Error(`Measuring the answer logs failed: ${replies.join('; ')}`);
  return replies.reduce((sum, reply) => sum + Number(reply), 0);
}

/** The counters of INFO replies (`INFO stats memory cpu commandstats`), one a node, summed. */
export function countersOf(infos: string[]): RedisCounters {
  const total = noCounters();
  for (const text of infos) {
    const info = parseInfo(text);
    total.netInputBytes += Number(info.total_net_input_bytes);
    total.netOutputBytes += Number(info.total_net_output_bytes);
    total.usedMemoryBytes += Number(info.used_memory);
    total.cpuSeconds += Number(info.used_cpu_user) + Number(info.used_cpu_sys);
    for (const [field, value] of Object.entries(info)) {
      const command = /^cmdstat_(.+)$/.exec(field)?.[1];
      if (!command || command === 'info') continue;
      total.commands[command] = (total.commands[command] ?? 0) + Number(/calls=(\d+)/.exec(value)?.[1] ?? 0);
    }
  }
  return total;
}

/** What happened between two readings: counters as differences, memory as the later reading's growth. */
export function redisDelta(before: RedisCounters, after: RedisCounters): RedisCounters {
  const commands: Record<string, number> = {};
  for (const [command, calls] of Object.entries(after.commands)) {
    const delta = calls - (before.commands[command] ?? 0);
    if (delta > 0) commands[command] = delta;
  }
  return {
    commands,
    netInputBytes: after.netInputBytes - before.netInputBytes,
    netOutputBytes: after.netOutputBytes - before.netOutputBytes,
    usedMemoryBytes: after.usedMemoryBytes - before.usedMemoryBytes,
    cpuSeconds: after.cpuSeconds - before.cpuSeconds,
  };
}

/** Several readings' differences (`redisDelta`) as one. */
export function summedDeltas(deltas: RedisCounters[]): RedisCounters {
  const total = noCounters();
  for (const delta of deltas) {
    for (const [command, calls] of Object.entries(delta.commands)) total.commands[command] = (total.commands[command] ?? 0) + calls;
    total.netInputBytes += delta.netInputBytes;
    total.netOutputBytes += delta.netOutputBytes;
    total.usedMemoryBytes += delta.usedMemoryBytes;
    total.cpuSeconds += delta.cpuSeconds;
  }
  return total;
}

export function totalCommands(counters: RedisCounters): number {
  return Object.values(counters.commands).reduce((sum, calls) => sum + calls, 0);
}

function noCounters(): RedisCounters {
  return { commands: {}, netInputBytes: 0, netOutputBytes: 0, usedMemoryBytes: 0, cpuSeconds: 0 };
}

/** INFO's `field:value` lines as a record (section headers and blank lines skipped). */
function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return fields;
}
