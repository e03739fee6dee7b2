import { InMemorySessionStore } from './in-memory-session-store';
import { sessionKey } from './session-store';

describe('InMemorySessionStore', () => {
  let now: number;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('keeps a record until it has been unused for the TTL', async () => {
    const store = new InMemorySessionStore(1000, 10, clock);
    await store.save('a', { conversationId: 'c1' });
    now += 999;
    expect(await store.get('a')).toEqual({ conversationId: 'c1' });
    now += 999; // the read above renewed it
    expect(await store.get('a')).toEqual({ conversationId: 'c1' });
    now += 1000;
    expect(await store.get('a')).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('forgets the least recently used record beyond its capacity', async () => {
    const store = new InMemorySessionStore(60_000, 2, clock);
    await store.save('a', { conversationId: 'ca' });
    await store.save('b', { conversationId: 'cb' });
    await store.get('a'); // a is now more recent than b
    await store.save('c', { conversationId: 'cc' });
    expect(store.size).toBe(2);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toEqual({ conversationId: 'ca' });
    expect(await store.get('c')).toEqual({ conversationId: 'cc' });
  });

  it('sweeps expired records when saving, so idle sessions do not pile up', async () => {
    const store = new InMemorySessionStore(1000, 100, clock);
    for (let i = 0; i < 50; i++) await store.save(`old-${i}`, {});
    now += 2000;
    await store.save('fresh', { conversationId: 'f' });
    expect(store.size).toBe(1);
  });

  it('overwrites a record', async () => {
    const store = new InMemorySessionStore(1000, 10, clock);
    await store.save('a', { conversationId: 'c1' });
    await store.save('a', { conversationId: 'c2' });
    expect(await store.get('a')).toEqual({ conversationId: 'c2' });
    expect(store.size).toBe(1);
  });

  it('is always ready', async () => {
    expect(await new InMemorySessionStore(1000, 10, clock).whyUnready()).toBeUndefined();
  });

  it("never evicts a principal's session for another principal's many", async () => {
    const store = new InMemorySessionStore(60_000, 10, clock);
    await store.save(sessionKey('b', 'hr', 'call'), { conversationId: 'cb' });
    for (let i = 0; i < 100; i++) await store.save(sessionKey('a', 'hr', `s${i}`), {});
    expect(store.size).toBe(10);
    expect(await store.get(sessionKey('b', 'hr', 'call'))).toEqual({ conversationId: 'cb' });
    expect(await store.get(sessionKey('a', 'hr', 's99'))).toEqual({});
    expect(await store.get(sessionKey('a', 'hr', 's0'))).toBeUndefined();
  });

  it('keeps the messages of the latest answers beside the record, each session its own, expiring with it', async () => {
    const store = new InMemorySessionStore(1000, 10, clock);
    await store.save('a', { conversationId: 'c1' });
    for (let i = 1; i <= 4; i++) await store.keepMessage('a', `answer-${i}`, `m-${i}`, 3);
    await store.keepMessage('a', 'answer-2', 'm-2', 3); // kept again: now the newest
    await store.keepMessage('a', 'answer-5', 'm-5', 3);
    expect(await store.findMessage('a', 'answer-1')).toBeUndefined();
    expect(await store.findMessage('a', 'answer-3')).toBeUndefined();
    expect(await store.findMessage('a', 'answer-2')).toBe('m-2');
    expect(await store.findMessage('a', 'answer-5')).toBe('m-5');
    expect(await store.findMessage('b', 'answer-5')).toBeUndefined();
    await store.save('a', { conversationId: 'c2' });
    expect(await store.findMessage('a', 'answer-4')).toBe('m-4');
    expect(await store.get('a')).toEqual({ conversationId: 'c2' });
    now += 1000;
    expect(await store.findMessage('a', 'answer-4')).toBeUndefined();
  });

  it('keeps a message of a session it has no record of yet', async () => {
    const store = new InMemorySessionStore(1000, 10, clock);
    await store.keepMessage('a', 'answer-1', 'm-1', 50);
    expect(await store.findMessage('a', 'answer-1')).toBe('m-1');
    expect(await store.get('a')).toEqual({});
  });
});
