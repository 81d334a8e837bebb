import dns from 'node:dns';
import net from 'node:net';

/** 127.0.0.0/8, ::1 (and IPv4-mapped 127/8), `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost') return true;
  const family = net.isIP(bare);
  if (family === 4) return bare.startsWith('127.');
  if (family === 6) return bare === '::1' || bare.startsWith('::ffff:127.');
  return false;
}

/** Where a Socket#connect call goes: its host, or null for a Unix socket path. */
function connectTarget(args: unknown[]): string | null {
  // net.connect and tls.connect pass their normalized [options, callback] array as one argument.
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (first !== null && typeof first === 'object') {
    const options = first as { host?: string; path?: string };
    return options.path ? null : (options.host ?? 'localhost');
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) return typeof args[1] === 'string' ? args[1] : 'localhost';
  return null;
}

type Callback = (err: NodeJS.ErrnoException | null, ...rest: unknown[]) => void;

const notFound = (hostname: string) => Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (this test resolves only local names)`), { code: 'ENOTFOUND', hostname });

/**
 * Keeps a test process's traffic on this machine: DNS lookups of names other than `localhost`
 * fail as unknown names (no query leaves the process), and TCP connections to any address
 * outside loopback are refused. The OpenAPI fuzzer sends mail server hosts, identity provider
 * URLs and the like that the services would otherwise try to reach. Returns what it refused, and
 * how to remove it.
 */
export function keepTrafficOnThisMachine(): { refused: string[]; restore(): void } {
  const refused: string[] = [];
  const lookup = dns.lookup;
  const promisesLookup = dns.promises.lookup;
  const connect = net.Socket.prototype.connect;
  const local = (hostname: unknown) => typeof hostname !== 'string' || net.isIP(hostname.replace(/^\[|\]$/g, '')) !== 0 || isLoopbackHost(hostname);

  (dns as { lookup: unknown }).lookup = function guardedLookup(hostname: string, ...rest: unknown[]) {
    if (local(hostname)) return (lookup as (...a: unknown[]) => unknown).call(dns, hostname, ...rest);
    refused.push(`lookup ${hostname}`);
    const callback = rest[rest.length - 1] as Callback;
    process.nextTick(() => callback(notFound(hostname)));
    return undefined;
  };
  (dns.promises as { lookup: unknown }).lookup = function guardedPromisesLookup(hostname: string, ...rest: unknown[]) {
    if (local(hostname)) return (promisesLookup as (...a: unknown[]) => unknown).call(dns.promises, hostname, ...rest);
    refused.push(`lookup ${hostname}`);
    return Promise.reject(notFound(hostname));
  };
  net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
    const host = connectTarget(args);
    if (host === null || isLoopbackHost(host)) return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
    refused.push(`connect ${host}`);
    const error = Object.assign(new Error(`connect ECONNREFUSED ${host} (this test reaches nothing beyond this machine)`), { code: 'ECONNREFUSED' });
    process.nextTick(() => this.destroy(error));
    return this;
  } as typeof connect;

  return {
    refused,
    restore: () => {
      (dns as { lookup: unknown }).lookup = lookup;
      (dns.promises as { lookup: unknown }).lookup = promisesLookup;
      net.Socket.prototype.connect = connect;
    },
  };
}
