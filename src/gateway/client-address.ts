import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

/**
 * Who a request comes from, for the per-address connection cap. With `trustedHops` proxies in front
 * (TRUST_PROXY_HOPS), the address that many hops back in X-Forwarded-For (proxy-addr, as Express
 * does); with none, the TCP peer, so a client cannot pick its own address with a forged header.
 */
export function clientAddress(req: IncomingMessage, trustedHops: number): string {
  if (trustedHops === 0) return req.socket.remoteAddress ?? 'unknown';
  return proxyAddr(req, (_address, hop) => hop < trustedHops);
}
