import { Cluster, Command } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { RedisClient, RedisConnections } from '../session';

/** One entry of a Redis stream: its id and its fields (name, value, name, value, …). */
export type StreamEntry = [id: string, fields: string[]];

/** What one read brought each stream: its new entries, or the error only that stream's read fails with. */
export type ReadOutcome = Map<string, StreamEntry[] | Error>;

/** Reads many streams for the followers of one instance, on connections whose number does not grow with theirs. */
export interface StreamReader {
  /** The entries after each stream's position, waiting a while for some; rejects when Redis fails (away, hung). */
  read(positions: Map<string, string>): Promise<ReadOutcome>;
  /** A follower joined: the read under way ends soon, so that the next one reads its stream too. */
  wake(): void;
  close(): void;
}

/** Entries one read takes of a stream at most: a follower far behind catches up over a few reads. */
const READ_COUNT = 1000;
/** A blocking read with nothing new returns after this long, and is issued again. */
const BLOCK_MS = 5000;
/** A reply this much later than it should come (past the block, for a blocking read) means Redis hangs. */
const REPLY_WAIT_MS = 2000;
/** CLIENT UNBLOCK can reach Redis before the read it wakes did: tried again this often, this many times. */
const UNBLOCK_RETRY_MS = 10;
const UNBLOCK_ATTEMPTS = 5;
/** What reading that stream again will not cure (a key of another type, a key the ACL user may not read). */
const STREAM_FAULT = /^(WRONGTYPE|NOPERM)\b/;

/**
 * (Lua) ARGV: the entries a stream gives at most, then each stream and its position: streams one node
 * serves, whatever their slots; KEYS[1] the first of them, which routes the script to that node
 * (declared keys must share a slot; allow-cross-slot-keys lets the script read the others). Each
 * stream's entries after its position, or the error reading it gave (WRONGTYPE, NOPERM) as a string:
 * one command a node for a round's reads instead of one a stream.
 */
const READ_NODE = `#!lua flags=no-writes,allow-cross-slot-keys
local read = {}
for i = 2, #ARGV, 2 do
  local entries = redis.pcall('XRANGE', ARGV[i], '(' .. ARGV[i + 1], '+', 'COUNT', ARGV[1])
  read[#read + 1] = entries.err or entries
end
return read`;

/**
 * The reader for the configured mode: one blocking read (one node, or Sentinel's master), or on a
 * Cluster, where one XREAD cannot span hash slots and each session has its own, every stream read
 * every `clusterPollMs` (REDIS_CLUSTER_FOLLOW_POLL_MS).
 */
export function streamReader(commands: RedisClient, connections: RedisConnections, clusterPollMs: number): StreamReader {
  return connections.config.mode === 'cluster'
    ? new PollingStreamReader(connections, clusterPollMs)
    : new BlockingStreamReader(commands, connections);
}

/**
 * One connection, one `XREAD BLOCK` over every followed stream. A follower that joins wakes the read
 * under way (CLIENT UNBLOCK, sent on the shared command connection with the reader's CLIENT ID, asked
 * just before each read on the reader's own connection, so it is the right one after a reconnection).
 */
class BlockingStreamReader implements StreamReader {
  private connection?: RedisClient;
  /** The read under way: its connection's id, and whether it is being woken. */
  private current?: { id: Promise<number | undefined>; waking: boolean };

  constructor(
    private readonly commands: RedisClient,
    private readonly connections: RedisConnections,
  ) {}

  async read(positions: Map<string, string>): Promise<ReadOutcome> {
    const reader = (this.connection ??= this.open());
    const keys = [...positions.keys()];
    const read = { id: reader.client('ID').catch(() => undefined), waking: false };
    this.current = read;
    try {
      const reply = await reader.xread('COUNT', READ_COUNT, 'BLOCK', BLOCK_MS, 'STREAMS', ...keys, ...positions.values());
      return new Map(reply ?? []);
    } catch (error) {
      // One stream's fault fails the read of all of them: read each alone, so that only its followers fail.
      if (error instanceof Error && STREAM_FAULT.test(error.message)) return readEachAlone(reader, positions);
      throw error;
    } finally {
      if (this.current === read) this.current = undefined;
    }
  }

  wake(): void {
    const read = this.current;
    if (!read || read.waking) return;
    read.waking = true;
    void this.unblock(read);
  }

  close(): void {
    this.connection?.disconnect();
  }

  private open(): RedisClient {
    const connection = this.connections.open({
      commandTimeout: BLOCK_MS + REPLY_WAIT_MS,
      enableOfflineQueue: true,
      maxRetriesPerRequest: 1,
    });
    connection.on('error', () => undefined); // a failed read is retried; the connection's own errors say nothing more
    return connection;
  }

  private async unblock(read: NonNullable<typeof this.current>): Promise<void> {
    const id = await read.id;
    for (let attempt = 1; id !== undefined && this.current === read && attempt <= UNBLOCK_ATTEMPTS; attempt++) {
      if ((await this.commands.client('UNBLOCK', id).catch(() => 0)) === 1) return;
      await sleep(UNBLOCK_RETRY_MS);
    }
    // Not woken (the read answered meanwhile, or Redis failed over): it ends by itself within BLOCK_MS.
  }
}

/**
 * On a Cluster: one client (a connection per master) reads every followed stream without blocking,
 * every `pollMs`: each node's streams in one script (READ_NODE), the nodes as ioredis knows them now.
 */
class PollingStreamReader implements StreamReader {
  private connection?: Cluster;
  /** The wait before the next round, while it lasts. */
  private pause?: { timer: NodeJS.Timeout; resume: () => void };
  /** The next round starts at once: a follower joined, or a stream gave as many entries as one read takes (there may be more). */
  private hurry = true;
  private lastRound = 0;
  private closed = false;
  private readonly slots = new Map<string, number>();

  constructor(
    private readonly connections: RedisConnections,
    private readonly pollMs: number,
  ) {}

  async read(positions: Map<string, string>): Promise<ReadOutcome> {
    // Rounds start pollMs apart, however long their reads took (at once when they took longer).
    const wait = this.lastRound + this.pollMs - Date.now();
    if (!this.hurry && wait > 0) await new Promise<void>((resume) => (this.pause = { timer: setTimeout(resume, wait), resume }));
    this.pause = undefined;
    this.hurry = false;
    this.lastRound = Date.now();
    if (this.closed) return new Map();
    const outcome = await readByNode((this.connection ??= this.open()), positions, this.slotsOf(positions));
    this.hurry ||= [...outcome.values()].some((entries) => Array.isArray(entries) && entries.length === READ_COUNT);
    return outcome;
  }

  /** Each followed stream's hash slot, worked out once while it is followed. */
  private slotsOf(positions: Map<string, string>): Map<string, number> {
    for (const key of this.slots.keys()) if (!positions.has(key)) this.slots.delete(key);
    for (const key of positions.keys()) if (!this.slots.has(key)) this.slots.set(key, new Command('xrange', [key]).getSlot());
    return this.slots;
  }

  wake(): void {
    this.hurry = true;
    this.endPause();
  }

  close(): void {
    this.closed = true;
    this.endPause();
    this.connection?.disconnect();
  }

  private endPause(): void {
    clearTimeout(this.pause?.timer);
    this.pause?.resume();
  }

  private open(): Cluster {
    const connection = this.connections.open(
      { commandTimeout: REPLY_WAIT_MS, enableOfflineQueue: true, maxRetriesPerRequest: 1 },
      { enableAutoPipelining: true },
    ) as Cluster;
    connection.on('error', () => undefined); // a failed read is retried next round; the client's own errors say nothing more
    return connection;
  }
}

/**
 * Every stream read, each node's in one script sent to that node's connection (ioredis's pipelines
 * take one slot's keys only). A node's script that fails (its slots moved: a failover, a resharding;
 * Redis away; the first stream's own fault) leaves its streams to be read each alone, which follows
 * the redirections and fails only a faulty stream's followers, and has ioredis look where the slots are now.
 */
async function readByNode(cluster: Cluster, positions: Map<string, string>, slots: Map<string, number>): Promise<ReadOutcome> {
  const streams = new Map<string, string[]>();
  for (const key of positions.keys()) {
    const node = cluster.slots[slots.get(key)!]?.[0] ?? '';
    const keys = streams.get(node);
    if (keys) keys.push(key);
    else streams.set(node, [key]);
  }
  const masters = new Map(cluster.nodes('master').map((node) => [`${node.options.host}:${node.options.port}`, node]));
  const reads = [...streams].map(async ([node, keys]): Promise<Array<[string, StreamEntry[] | Error]>> => {
    const master = masters.get(node);
    try {
      if (!master) throw new Error(`no connection to ${node}`);
      const streamsAt = keys.flatMap((key) => [key, positions.get(key)!]);
      const read = (await master.eval(READ_NODE, 1, keys[0], READ_COUNT, ...streamsAt)) as Array<StreamEntry[] | string>;
      return keys.map((key, i) => [key, streamRead(read[i])]);
    } catch (error) {
      // The first stream's own fault (NOPERM) says nothing of where the slots are.
      if (!(error instanceof Error && STREAM_FAULT.test(error.message))) cluster.refreshSlotsCache();
      return [...(await readEachAlone(cluster, new Map(keys.map((key) => [key, positions.get(key)!]))))];
    }
  });
  return new Map((await Promise.all(reads)).flat());
}

/** One stream's part of READ_NODE's reply: its entries, its error if reading it again will not cure it, or else nothing this time. */
function streamRead(read: StreamEntry[] | string): StreamEntry[] | Error {
  if (typeof read !== 'string') return read;
  return STREAM_FAULT.test(read) ? new Error(read) : [];
}

/**
 * Each stream read alone, without blocking. A stream whose read fails for a reason of its own gets
 * that error; one that fails otherwise (Redis away, a failover under way) gets nothing this time and
 * is read again from the same position.
 */
async function readEachAlone(redis: RedisClient, positions: Map<string, string>): Promise<ReadOutcome> {
  const reads = [...positions].map(([key, position]) =>
    redis.xread('COUNT', READ_COUNT, 'STREAMS', key, position).then(
      (reply): StreamEntry[] => reply?.[0]?.[1] ?? [],
      (error: Error) => (STREAM_FAULT.test(error.message) ? error : []),
    ),
  );
  const outcomes = await Promise.all(reads);
  return new Map([...positions.keys()].map((key, i) => [key, outcomes[i]]));
}
