import { EventEmitter } from 'node:events';
import ShardedSubscriber from 'ioredis/built/cluster/ShardedSubscriber';
import { keepStoppedShardedSubscribersQuiet } from './sharded-subscriber-stop';

describe('keepStoppedShardedSubscribersQuiet', () => {
  it("leaves a stopped sharded subscriber's connection a listener: a reply that comes after the stop is dropped, not thrown", () => {
    const late = new Error('Command queue state error. Last reply: sunsubscribe,channel,0');
    const stoppedConnection = () => {
      // lazyConnect: nothing is connected; stop() is what a Cluster's topology change calls.
      const subscriber = new ShardedSubscriber(new EventEmitter(), { host: '127.0.0.1', port: 1, lazyConnect: true });
      const connection = subscriber.getInstance()!;
      subscriber.stop();
      return connection;
    };
    // ioredis alone: the stopped connection has no listener left, and an error emitted on it throws.
    expect(() => stoppedConnection().emit('error', late)).toThrow(/Command queue state error/);
    keepStoppedShardedSubscribersQuiet();
    keepStoppedShardedSubscribersQuiet(); // once is enough: a second call changes nothing
    const connection = stoppedConnection();
    expect(connection.listenerCount('error')).toBe(1);
    expect(() => connection.emit('error', late)).not.toThrow();
  });
});
