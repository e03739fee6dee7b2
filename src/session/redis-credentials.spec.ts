import { credentialsRefusal } from './redis-credentials';

describe('credentialsRefusal', () => {
  it("names what to fix for Redis's refusals of credentials", () => {
    expect(credentialsRefusal(new Error('WRONGPASS invalid username-password pair or user is disabled.'))).toMatch(
      /^Redis refused the credentials \(WRONGPASS\): check REDIS_USERNAME and REDIS_PASSWORD, or the user and password of REDIS_URL$/,
    );
    expect(credentialsRefusal(new Error('ERR invalid password'))).toMatch(/WRONGPASS/);
    expect(credentialsRefusal(new Error('NOAUTH Authentication required.'))).toMatch(/^Redis requires a password \(NOAUTH\)/);
  });

  it('leaves every other error alone', () => {
    expect(credentialsRefusal(new Error('connect ECONNREFUSED 127.0.0.1:6379'))).toBeUndefined();
    expect(credentialsRefusal('WRONGPASS')).toBeUndefined();
  });
});
