import { EventEmitter } from 'node:events';
import { RedisClient, RedisConnections, RedisKeys } from '../session';
import { RedisAnnouncements } from './redis-announcements';

/** A subscriber connection that records its commands; each (S)SUBSCRIBE waits until `confirm` answers it. */
class FakeListener extends EventEmitter {
  status = 'ready';
  readonly commands: string[] = [];
  private readonly pending: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];

  subscribe = (channel: string) => this.waiting(`subscribe ${channel}`);
  ssubscribe = (channel: string) => this.waiting(`ssubscribe ${channel}`);
  unsubscribe = (channel: string) => this.done(`unsubscribe ${channel}`);
  sunsubscribe = (channel: string) => this.done(`sunsubscribe ${channel}`);
  publish = (channel: string, message: string) => this.done(`publish ${channel} ${message}`);
  spublish = (channel: string, message: string) => this.done(`spublish ${channel} ${message}`);
  disconnect = () => undefined;

  /** Answers the oldest SUBSCRIBE waiting: in force, or refused with `error`. */
  confirm(error?: Error): void {
    const next = this.pending.shift()!;
    if (error) next.reject(error);
    else next.resolve();
  }

  private waiting(command: string): Promise<void> {
    this.commands.push(command);
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }

  private done(command: string): Promise<number> {
    this.commands.push(command);
    return Promise.resolve(1);
  }
}

const KEYS = new RedisKeys('app');

function announcements(mode: 'standalone' | 'cluster' = 'standalone', waitMs = 60_000) {
  const listener = new FakeListener();
  const connections = { config: { mode }, keys: KEYS, open: () => listener } as unknown as RedisConnections;
  return { listener, announcer: new RedisAnnouncements(listener as unknown as RedisClient, connections, waitMs) };
}

describe('RedisAnnouncements', () => {
  it("subscribes a session's channel when its first listener comes, once, and unsubscribes when its last one goes", () => {
    const { listener, announcer } = announcements();
    const first = announcer.announcements('s1').subscribe();
    const second = announcer.announcements('s1').subscribe();
    const other = announcer.announcements('s2').subscribe();
    expect(listener.commands).toEqual([`subscribe ${KEYS.announcements('s1')}`, `subscribe ${KEYS.announcements('s2')}`]);

    first.unsubscribe();
    expect(listener.commands).toHaveLength(2);
    second.unsubscribe();
    other.unsubscribe();
    expect(listener.commands.slice(2)).toEqual([`unsubscribe ${KEYS.announcements('s1')}`, `unsubscribe ${KEYS.announcements('s2')}`]);

    // Listened to again: subscribed again.
    announcer.announcements('s1').subscribe();
    expect(listener.commands.at(-1)).toBe(`subscribe ${KEYS.announcements('s1')}`);
  });

  it("gives each session's listeners the answers announced on its channel, and no other's", () => {
    const { listener, announcer } = announcements();
    const [heard1, heard2]: string[][] = [[], []];
    announcer.announcements('s1').subscribe((answerId) => heard1.push(answerId));
    announcer.announcements('s1').subscribe((answerId) => heard1.push(`again ${answerId}`));
    announcer.announcements('s2').subscribe((answerId) => heard2.push(answerId));
    listener.emit('message', KEYS.announcements('s1'), 'a1');
    listener.emit('message', KEYS.announcements('s2'), 'a2');
    listener.emit('message', KEYS.announcements('s3'), 'a3');
    expect(heard1).toEqual(['a1', 'again a1']);
    expect(heard2).toEqual(['a2']);
  });

  it("has a joining room wait while its channel's SUBSCRIBE is on its way, and not once it is in force", async () => {
    const { listener, announcer } = announcements();
    expect(announcer.untilHeard('s1')).toBeUndefined();
    announcer.announcements('s1').subscribe();
    const heard = announcer.untilHeard('s1');
    expect(heard).toBeInstanceOf(Promise);
    // A second room of the session joining meanwhile waits for the same SUBSCRIBE.
    expect(announcer.untilHeard('s1')).toBe(heard);
    listener.confirm();
    await heard;
    expect(announcer.untilHeard('s1')).toBeUndefined();
  });

  it('has nobody wait while the connection is down (readiness says so), nor longer than the wait allowed', async () => {
    const { listener, announcer } = announcements('standalone', 10);
    listener.status = 'reconnecting';
    announcer.announcements('s1').subscribe();
    expect(announcer.untilHeard('s1')).toBeUndefined();
    expect(announcer.whyUnready()).toMatch(/not connected/);

    listener.status = 'ready';
    expect(announcer.whyUnready()).toBeUndefined();
    announcer.announcements('s2').subscribe();
    await announcer.untilHeard('s2'); // never confirmed: the wait ends after 10 ms
    expect(announcer.untilHeard('s2')).toBeUndefined();
  });

  it('subscribes again a channel whose SUBSCRIBE was refused, while it is listened to', async () => {
    jest.useFakeTimers();
    try {
      const { listener, announcer } = announcements();
      const listening = announcer.announcements('s1').subscribe();
      listener.confirm(new Error('No sharded subscriber for slot: 42'));
      await jest.advanceTimersByTimeAsync(1000);
      expect(listener.commands).toEqual([`subscribe ${KEYS.announcements('s1')}`, `subscribe ${KEYS.announcements('s1')}`]);

      listening.unsubscribe();
      listener.confirm(new Error('refused again'));
      await jest.advanceTimersByTimeAsync(1000);
      expect(listener.commands.slice(2)).toEqual([`unsubscribe ${KEYS.announcements('s1')}`]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('uses sharded pub/sub on a Cluster: SPUBLISH, SSUBSCRIBE and the smessage event', () => {
    const { listener, announcer } = announcements('cluster');
    const heard: string[] = [];
    const listening = announcer.announcements('s1').subscribe((answerId) => heard.push(answerId));
    announcer.announce('s1', 'a1');
    listener.emit('smessage', KEYS.announcements('s1'), 'a1');
    listening.unsubscribe();
    expect(heard).toEqual(['a1']);
    const channel = KEYS.announcements('s1');
    expect(listener.commands).toEqual([`ssubscribe ${channel}`, `spublish ${channel} a1`, `sunsubscribe ${channel}`]);
  });

  it('publishes on the session’s own channel without a Cluster', () => {
    const { listener, announcer } = announcements();
    announcer.announce('s1', 'a1');
    expect(listener.commands).toEqual([`publish ${KEYS.announcements('s1')} a1`]);
  });
});
