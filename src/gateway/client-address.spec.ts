import type { IncomingMessage } from 'node:http';
import { clientAddress } from './client-address';

const request = (forwardedFor?: string) =>
  ({
    socket: { remoteAddress: '10.0.0.9' },
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  }) as unknown as IncomingMessage;

describe('clientAddress', () => {
  it('is the TCP peer when no proxy is trusted, whatever X-Forwarded-For claims', () => {
    expect(clientAddress(request('1.2.3.4'), 0)).toBe('10.0.0.9');
  });

  it('is the address the trusted proxies saw, counting hops from the nearest one', () => {
    expect(clientAddress(request('203.0.113.7'), 1)).toBe('203.0.113.7');
    expect(clientAddress(request('198.51.100.1, 203.0.113.7'), 1)).toBe('203.0.113.7');
    expect(clientAddress(request('198.51.100.1, 203.0.113.7'), 2)).toBe('198.51.100.1');
  });

  it('falls back to the TCP peer when the header is missing', () => {
    expect(clientAddress(request(), 1)).toBe('10.0.0.9');
  });
});
