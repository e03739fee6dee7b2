import { Listeners } from './listeners.ts';

describe('Listeners', () => {
  afterEach(() => jest.useRealTimers());

  it('calls each listener of an event until it is stopped', () => {
    const listeners = new Listeners<{ answer: string; status: number }>();
    const heard: string[] = [];
    const stop = listeners.on('answer', (text) => heard.push(`a:${text}`));
    listeners.on('answer', (text) => heard.push(`b:${text}`));
    listeners.on('status', (n) => heard.push(`status:${n}`));
    listeners.emit('answer', 'x');
    stop();
    listeners.emit('answer', 'y');
    expect(heard).toEqual(['a:x', 'b:x', 'b:y']);
  });

  it("does not let a listener's error stop the others or the emitter: it is rethrown on its own", () => {
    jest.useFakeTimers();
    const listeners = new Listeners<{ answer: string }>();
    const heard: string[] = [];
    listeners.on('answer', () => {
      throw new Error('a bug in the app');
    });
    listeners.on('answer', (text) => heard.push(text));
    expect(() => listeners.emit('answer', 'x')).not.toThrow();
    expect(heard).toEqual(['x']);
    expect(() => jest.runAllTimers()).toThrow('a bug in the app');
  });
});
