import { KeyedSequence } from './keyed-sequence';

describe('KeyedSequence', () => {
  it('runs one key’s tasks one after the other, failed or not, and other keys alongside', async () => {
    const sequence = new KeyedSequence();
    const order: string[] = [];
    let release!: () => void;
    const first = sequence.run('a', () => new Promise<void>((resolve) => (release = resolve)).then(() => void order.push('a1')));
    const failing = sequence.run('a', () => Promise.reject(new Error('a2 failed')));
    const third = sequence.run('a', async () => void order.push('a3'));
    await sequence.run('b', async () => void order.push('b1'));
    expect(order).toEqual(['b1']);
    expect(sequence.underWay()).toHaveLength(1);
    release();
    await first;
    await expect(failing).rejects.toThrow('a2 failed');
    await third;
    expect(order).toEqual(['b1', 'a1', 'a3']);
    await Promise.resolve();
    expect(sequence.underWay()).toEqual([]);
  });
});
