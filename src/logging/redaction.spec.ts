import fc from 'fast-check';
import type { IncomingMessage } from 'node:http';
import { presentedToken } from '../auth';
import { redactedUrl } from './redaction';

/** One character of a parameter name as a client may spell it: as is, in the other case, or percent-encoded in either hex case. */
const spelling = (char: string) => {
  const hex = char.charCodeAt(0).toString(16);
  return fc.constantFrom(char, char.toUpperCase(), `%${hex}`, `%${hex.toUpperCase()}`);
};

describe('redactedUrl', () => {
  it('censors a token parameter however its name is encoded', () => {
    expect(redactedUrl('/metrics?token=s3cret')).toBe('/metrics?token=[redacted]');
    expect(redactedUrl('/metrics?to%6Ben=s3cret')).toBe('/metrics?to%6Ben=[redacted]');
    expect(redactedUrl('/metrics?%74%6f%6b%65%6e=s3cret')).toBe('/metrics?%74%6f%6b%65%6e=[redacted]');
    expect(redactedUrl('/metrics?TOKEN=s3cret')).toBe('/metrics?TOKEN=[redacted]');
    expect(redactedUrl('/metrics?Tok%45n=s3cret')).toBe('/metrics?Tok%45n=[redacted]');
  });

  it('censors every repeat and keeps the other parameters exactly as sent', () => {
    expect(redactedUrl('/ws?token=a&features=sources,usage&token=b&x=%41+b')).toBe(
      '/ws?token=[redacted]&features=sources,usage&token=[redacted]&x=%41+b',
    );
  });

  it('censors the other credential names of the log redaction, in any case', () => {
    expect(redactedUrl('/x?api_key=k1&apiKey=k2&APIKEY=k3&pass%77ord=p&q=1')).toBe(
      '/x?api_key=[redacted]&apiKey=[redacted]&APIKEY=[redacted]&pass%77ord=[redacted]&q=1',
    );
  });

  it('censors a token parameter without a value, and leaves names that only contain "token"', () => {
    expect(redactedUrl('/x?token&tokens=1&my_token=2')).toBe('/x?token=[redacted]&tokens=1&my_token=2');
  });

  it('censors a fragment whole, including a ? inside it', () => {
    expect(redactedUrl('/x?a=1#access_token=s3cret')).toBe('/x?a=1#[redacted]');
    expect(redactedUrl('/x#frag?token=s3cret')).toBe('/x#[redacted]');
  });

  it('leaves a URL without a query alone', () => {
    expect(redactedUrl('/metrics')).toBe('/metrics');
    expect(redactedUrl('/metrics?')).toBe('/metrics?');
    expect(redactedUrl('/')).toBe('/');
  });

  it('censors every spelling of the name under which authentication finds the token', () => {
    const names = fc.tuple(...[...'token'].map(spelling)).map((chars) => chars.join(''));
    fc.assert(
      fc.property(names, (name) => {
        const url = `/ws?a=1&${name}=s3cret&b=2`;
        expect(presentedToken({ url, headers: {} } as IncomingMessage)).toBe('s3cret');
        expect(redactedUrl(url)).not.toContain('s3cret');
      }),
    );
  });
});

describe('redactedUrl with credentials before the host', () => {
  it.each([
    ['https://alice:s3cret@dify.example.com/v1', 'https://alice:[redacted]@dify.example.com/v1'],
    ['redis://:s3cret@127.0.0.1:6379', 'redis://:[redacted]@127.0.0.1:6379'],
    ['rediss://default:s3cret@redis:6380/1', 'rediss://default:[redacted]@redis:6380/1'],
    ['https://s3cret@dify.example.com/v1', 'https://[redacted]@dify.example.com/v1'],
    ['https://alice:s3c@ret@dify.example.com', 'https://alice:[redacted]@dify.example.com'],
    ['https://alice:s3cret@dify.example.com?token=t0k#frag', 'https://alice:[redacted]@dify.example.com?token=[redacted]#[redacted]'],
  ])('%s → %s', (url, logged) => {
    expect(redactedUrl(url)).toBe(logged);
  });

  it('leaves URLs without credentials and request paths as they are', () => {
    expect(redactedUrl('https://api.dify.ai/v1')).toBe('https://api.dify.ai/v1');
    expect(redactedUrl('/ws/realtime-asr?features=sources')).toBe('/ws/realtime-asr?features=sources');
    expect(redactedUrl('/path/with@sign')).toBe('/path/with@sign');
  });
});
