import type { IncomingMessage } from 'node:http';
import { AddressRanges, parseAddress } from '@telltale/contracts/dist/src/address-ranges';

/** Named ranges as Express's "trust proxy" understands them. */
const NAMED: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** The load balancers' ranges of a TRUST_PROXY list (named ranges, CIDRs, addresses). */
function trustedRanges(trustProxy: string): AddressRanges {
  const cidrs = trustProxy.split(',').map((s) => s.trim()).filter(Boolean).flatMap((entry) => NAMED[entry] ?? [entry.includes('/') ? entry : `${entry}/${entry.includes(':') ? 128 : 32}`]);
  return AddressRanges.compile(cidrs, 'TRUST_PROXY');
}

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
  const trusted = trustedRanges(trustProxy);
  return (req) => {
    const addresses = chain(req);
    for (let i = addresses.length - 1; i >= 0; i--) {
      if (i === 0 || !trusted.has(parseAddress(addresses[i]))) return addresses[i] || null;
    }
    return null;
  };
}

/**
 * Whether a peer may tell the request's protocol (X-Forwarded-Proto), as Express decides it with
 * the same "trust proxy" setting: a pixel process passes requests on to the tracker process with
 * the protocol it would have believed.
 */
export function peerTrusted(trustProxy: string | undefined): (address: string | null) => boolean {
  if (trustProxy === undefined || trustProxy === 'false') return () => false;
  if (/^\d+$/.test(trustProxy)) return () => Number(trustProxy) > 0;
  const trusted = trustedRanges(trustProxy);
  return (address) => address !== null && trusted.has(parseAddress(address));
}

/**
 * The header a pixel process gives the tracker process the client's address in, when it passes a
 * request on (TRACKER_WORKERS > 1): resolved by the pixel process, which removes any the client sent.
 */
export const EDGE_CLIENT_ADDRESS_HEADER = 'x-telltale-client-address';

/** The client's address of a request a pixel process passed on: the one it resolved. */
export const edgeClientAddress: ClientAddressResolver = (req) => {
  const value = req.headers[EDGE_CLIENT_ADDRESS_HEADER];
  return typeof value === 'string' && value !== '' ? value : null;
};
