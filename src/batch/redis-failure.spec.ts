import { isRedisFailure } from './redis-failure';

const replyError = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });

describe('isRedisFailure', () => {
  it("is Redis down, full or not answering: ioredis's errors for them", () => {
    expect(isRedisFailure(replyError("OOM command not allowed when used memory > 'maxmemory'."))).toBe(true);
    expect(isRedisFailure(replyError('LOADING Redis is loading the dataset in memory'))).toBe(true);
    expect(isRedisFailure(new Error('Connection is closed.'))).toBe(true);
    expect(isRedisFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(
      isRedisFailure(Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' })),
    ).toBe(true);
  });

  it('is not a bug: a command Redis refuses as malformed, or any other error', () => {
    expect(isRedisFailure(replyError('ERR value is not an integer or out of range'))).toBe(false);
    expect(isRedisFailure(new RangeError('Maximum call stack size exceeded'))).toBe(false);
    expect(isRedisFailure('a string')).toBe(false);
  });
});
