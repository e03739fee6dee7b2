import Redis, { RedisOptions } from 'ioredis';
import type { RedisAddress } from '../config';

/** What the Sentinels publish when they name a new master: `<name> <old ip> <old port> <new ip> <new port>`. */
const SWITCH_MASTER = '+switch-master';

/**
 * Moves every Sentinel-mode connection off a master the moment the Sentinels name another one
 * (`+switch-master`). A demoted master that is still up keeps the connections it has not closed, and
 * takes their writes, for the seconds until Sentinel turns it into a replica: those writes are lost.
 *
 * Not ioredis's own `failoverDetector`: it disconnects a connection whatever it is doing, and one that
 * is between asking a Sentinel for the master and connecting to it (the master was killed, the
 * connection is retrying) then ends for good (`Connection is closed.`, status `end`, never ready
 * again: 150 of 400 connections in a measured run). Here only a connection that is connected is
 * moved (`disconnect(true)`: it reconnects, and asks the Sentinels again); one that is connecting
 * asks them anyway.
 *
 * One subscription per Sentinel (any of them may be down), while at least one connection is watched.
 */
export class SentinelSwitches {
  private readonly watched = new Set<Redis>();
  private listeners: Redis[] = [];

  constructor(
    private readonly sentinels: RedisAddress[],
    private readonly masterName: string,
    /** TLS and the like, for the connections to the Sentinels. */
    private readonly sentinelOptions: RedisOptions = {},
  ) {}

  /** Watches `connection` until it ends; returns it. */
  watch(connection: Redis): Redis {
    this.watched.add(connection);
    connection.once('end', () => this.unwatch(connection));
    if (this.listeners.length === 0) this.listeners = this.sentinels.map((sentinel) => this.listen(sentinel));
    return connection;
  }

  private unwatch(connection: Redis): void {
    this.watched.delete(connection);
    if (this.watched.size > 0) return;
    for (const listener of this.listeners) listener.disconnect();
    this.listeners = [];
  }

  private listen(sentinel: RedisAddress): Redis {
    const listener = new Redis({ ...this.sentinelOptions, host: sentinel.host, port: sentinel.port, maxRetriesPerRequest: null });
    listener.on('error', () => undefined); // a Sentinel away: the others still announce; it is reconnected
    listener.subscribe(SWITCH_MASTER).catch(() => undefined);
    listener.on('message', (_channel: string, message: string) => this.switched(message));
    return listener;
  }

  private switched(message: string): void {
    if (message.split(' ')[0] !== this.masterName) return;
    // Every Sentinel announces the switch: the first moves the connection, the others find it reconnecting.
    for (const connection of this.watched)
      if (connection.status === 'ready' || connection.status === 'connect') connection.disconnect(true);
  }
}
