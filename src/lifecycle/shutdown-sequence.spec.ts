import { ShutdownSequence } from './shutdown-sequence';
import { ShutdownState } from './shutdown-state';

describe('ShutdownSequence', () => {
  function sequence(shutdownGraceMs = 1000): { state: ShutdownState; shutdown: ShutdownSequence } {
    const state = new ShutdownState();
    return { state, shutdown: new ShutdownSequence(state, { shutdownGraceMs }) };
  }

  it('drains first, then runs the phases in order, each phase’s steps together, once', async () => {
    const { state, shutdown } = sequence();
    const seen: string[] = [];
    let releaseAnswers!: () => void;
    shutdown.register('close', 'store', () => seen.push('close'));
    shutdown.register('flush', 'log', () => seen.push('flush'));
    shutdown.register('hand over', 'clients', () => seen.push(`hand over, draining ${state.draining}`));
    shutdown.register('drain', 'answers', async () => {
      seen.push('drain: answers');
      await new Promise<void>((resolve) => (releaseAnswers = resolve));
      seen.push('drain: answers done');
    });
    shutdown.register('drain', 'queue', () => seen.push('drain: queue'));

    const served = shutdown.beforeApplicationShutdown();
    expect(state.draining).toBe(true);
    expect(shutdown.beforeApplicationShutdown()).toBe(served);
    await Promise.resolve();
    expect(seen).toEqual(['drain: answers', 'drain: queue']);
    releaseAnswers();
    await served;
    await shutdown.onApplicationShutdown();
    await shutdown.onApplicationShutdown();
    expect(seen).toEqual(['drain: answers', 'drain: queue', 'drain: answers done', 'hand over, draining true', 'flush', 'close']);
  });

  it('goes on after a phase’s bound (SHUTDOWN_GRACE_MS for drain) and after a failed step', async () => {
    const { shutdown } = sequence(0);
    const seen: string[] = [];
    shutdown.register('drain', 'answers that never end', () => new Promise(() => undefined));
    shutdown.register('hand over', 'failing', () => Promise.reject(new Error('gone')));
    shutdown.register('flush', 'log', () => seen.push('flush'));
    await shutdown.beforeApplicationShutdown();
    expect(seen).toEqual(['flush']);
  });
});
