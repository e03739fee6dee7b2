import ShardedSubscriber from 'ioredis/built/cluster/ShardedSubscriber';

let kept = false;

/**
 * ioredis 5 (redis/ioredis#1981): when a Cluster's topology changes (a failover), a sharded
 * subscriber that is no longer needed is stopped, and `stop()` removes every listener of its
 * connection before that connection has closed. A reply still on its way (the SUNSUBSCRIBE a demoted
 * master pushes for the slots it lost) then finds no command waiting, and ioredis emits an 'error'
 * that nobody listens to, which throws from the socket's data handler: an uncaught exception, the
 * process down. So a stopped subscriber's connection keeps one listener, which drops such errors
 * (the subscriber is gone; the announcements it carried are subscribed again on the new master).
 */
export function keepStoppedShardedSubscribersQuiet(): void {
  if (kept) return;
  kept = true;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called on its subscriber below (stop.call)
  const stop = ShardedSubscriber.prototype.stop;
  ShardedSubscriber.prototype.stop = function (this: ShardedSubscriber): void {
    const connection = this.getInstance();
    stop.call(this);
    connection?.on('error', () => undefined);
  };
}
