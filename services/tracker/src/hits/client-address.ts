import type { IncomingMessage } from 'node:http';
import { AddressRanges, parseAddress } from '../classification/address-ranges';

/** Named ranges as Express's "trust proxy" understands them. */
const NAMED: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

export type ClientAddressResolver = (req: IncomingMessage) => string | null;

/**
 * The client's address. Without a trust setting it is the socket's peer; with one (a hop count, or
 * named ranges/CIDRs of the load balancers), X-Forwarded-For is walked from the right past trusted
 * proxies only, so a client cannot choose its own address by sending the header.
 */
export function clientAddressResolver(trustProxy: string | undefined): ClientAddressResolver {
  const peer = (req: IncomingMessage): string | null => req.socket.remoteAddress ?? null;
  if (trustProxy === undefined || trustProxy === 'false') return peer;
  const chain = (req: IncomingMessage): string[] => {
    const header = req.headers['x-forwarded-for'];
    const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((s) => s.trim()).filter(Boolean);
    return [...forwarded, peer(req) ?? ''];
  };
  if (/^\d+$/.test(trustProxy)) {
    const hops = Number(trustProxy);
    return (req) => {
      const addresses = chain(req);
      return addresses[Math.max(0, addresses.length - 1 - hops)] || null;
    };
  }
  const cidrs = trustProxy.split(',').map((s) => s.trim()).filter(Boolean).flatMap((entry) => NAMED[entry] ?? [entry.includes('/') ? entry : `${entry}/${entry.includes(':') ? 128 : 32}`]);
  const trusted = AddressRanges.compile(cidrs, 'TRUST_PROXY');
  return (req) => {
    const addresses = chain(req);
    for (let i = addresses.length - 1; i >= 0; i--) {
      if (i === 0 || !trusted.has(parseAddress(addresses[i]))) return addresses[i] || null;
    }
    return null;
  };
}
