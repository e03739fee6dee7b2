import { StreamQuota } from './stream-quota';

describe('StreamQuota', () => {
  it('lets a principal have `most` streams at once, others theirs, and counts an ended one out once', () => {
    const quota = new StreamQuota(2);
    const first = quota.take('acme');
    expect(first).toBeDefined();
    expect(quota.take('acme')).toBeDefined();
    expect(quota.take('acme')).toBeUndefined();
    expect(quota.take('globex')).toBeDefined();
    first!();
    first!();
    expect(quota.take('acme')).toBeDefined();
    expect(quota.take('acme')).toBeUndefined();
  });
});
