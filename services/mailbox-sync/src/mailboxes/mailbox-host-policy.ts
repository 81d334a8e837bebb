import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { z } from 'zod';
import { AddressRanges, cidrCoverage, parseAddress, type ParsedAddress } from '@telltale/contracts';
import type { MailServerAddress } from '@telltale/mail';

/**
 * Addresses a mailbox's IMAP or SMTP server may not be at, unless the operator allows it
 * (MAILBOX_HOST_ALLOWLIST): a connection there would reach this cluster's own services or network
 * rather than a mail provider (issue 12: 127.0.0.1:55432 and :19092 were accepted). From the IANA
 * special-purpose registries (RFC 6890): "this network", private (RFC 1918), CGNAT (RFC 6598),
 * loopback, link-local, IETF protocol assignments, documentation, benchmarking, multicast and
 * reserved; IPv6 unspecified, loopback, IPv4-compatible, discard, documentation, Teredo and 6to4
 * (both carry an IPv4 address we could not check), ULA, link-local, site-local and multicast.
 * IPv4-mapped addresses (::ffff:a.b.c.d) are checked as the IPv4 address they are (parseAddress),
 * and so is the IPv4 address inside the NAT64 prefix 64:ff9b::/96 (RFC 6052).
 */
export const BLOCKED_MAIL_SERVER_RANGES = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/96',
  '64:ff9b:1::/48',
  '100::/64',
  '2001::/32',
  '2001:db8::/32',
  '2002::/16',
  'fc00::/7',
  'fe80::/10',
  'fec0::/10',
  'ff00::/8',
];

const blocked = AddressRanges.compile(BLOCKED_MAIL_SERVER_RANGES, 'blocked mail server ranges');
const NAT64_PREFIX = 0x64ff9bn << 96n;
const NAT64_MASK = ~0xffffffffn & ((1n << 128n) - 1n);

/** Whether a connection to `address` would leave for the internet (NAT64 judged by the IPv4 address it carries). */
export function isSpecialPurposeAddress(address: ParsedAddress): boolean {
  if (address.family === 6 && (address.value & NAT64_MASK) === NAT64_PREFIX) return blocked.has({ family: 4, value: Number(address.value & 0xffffffffn) });
  return blocked.has(address);
}

const HOST_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/;

/** Hosts and networks a mail server may be at although they are special-purpose addresses. */
export interface MailHostAllowlist {
  /** Exact host names, lower-case, without a final dot. */
  names: readonly string[];
  /** CIDRs (a bare address in the setting is its /32 or /128). */
  cidrs: readonly string[];
}

/** MAILBOX_HOST_ALLOWLIST: comma-separated host names, addresses and CIDRs; a bad entry names itself. */
export const MailHostAllowlistSetting = z
  .string()
  .default('')
  .transform((value, ctx): MailHostAllowlist => {
    const names: string[] = [];
    const cidrs: string[] = [];
    for (const entry of value.split(',').map((e) => e.trim().toLowerCase()).filter(Boolean)) {
      const cidr = entry.includes('/') ? entry : isIP(entry) === 4 ? `${entry}/32` : isIP(entry) === 6 ? `${entry}/128` : null;
      if (cidr !== null && cidrCoverage(cidr) !== null) cidrs.push(cidr);
      else if (cidr === null && entry.length <= 253 && HOST_NAME.test(entry)) names.push(entry.replace(/\.$/, ''));
      else ctx.addIssue({ code: 'custom', message: `"${entry}" is neither a host name, an address nor a CIDR` });
    }
    return { names, cidrs };
  });

export type MailHostProblem = 'not_allowed' | 'not_found';

/** A mail server host refused: `not_allowed` (a special-purpose address) or `not_found` (no address, or DNS did not answer in time). */
export class MailHostRefused extends Error {
  constructor(
    readonly problem: MailHostProblem,
    message: string,
  ) {
    super(message);
    this.name = 'MailHostRefused';
  }
}

type Lookup = (host: string) => Promise<{ address: string }[]>;

const systemLookup: Lookup = (host) => dnsLookup(host, { all: true, verbatim: true });

/**
 * Decides where a connection to a mailbox's IMAP or SMTP server goes. The host name is resolved
 * (every address, as the socket would), every address must be public unless the operator allowed
 * the name or the address, and the connection goes to the address checked here, with the name kept
 * for TLS. Nothing connects by name afterwards, so a name that answers with a public address for the
 * check and a private one for the connection (DNS rebinding) cannot get through: each connection
 * (every IMAP session, every send) asks again.
 */
export class MailHostPolicy {
  private readonly allowedNames: ReadonlySet<string>;
  private readonly allowedRanges: AddressRanges;

  constructor(
    allowlist: MailHostAllowlist,
    private readonly timeoutMs: number,
    private readonly lookup: Lookup = systemLookup,
  ) {
    this.allowedNames = new Set(allowlist.names);
    this.allowedRanges = AddressRanges.compile(allowlist.cidrs, 'MAILBOX_HOST_ALLOWLIST');
  }

  /** The address to connect to for `host` (a name or an address, `[v6]` allowed); throws MailHostRefused. */
  async resolve(host: string): Promise<MailServerAddress> {
    const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    const name = isIP(bare) === 0 ? bare.toLowerCase().replace(/\.$/, '') : null;
    const addresses = name === null ? [bare] : await this.addressesOf(name);
    const parsed = addresses.map((a) => ({ text: a, address: parseAddress(a) }));
    const nameAllowed = name !== null && this.allowedNames.has(name);
    const refused = parsed.find((a) => a.address === null || (!nameAllowed && isSpecialPurposeAddress(a.address) && !this.allowedRanges.has(a.address)));
    if (refused) {
      throw new MailHostRefused(
        'not_allowed',
        name === null
          ? `${bare} is a loopback, private, link-local or other non-public address; a mail server there is only accepted when the operator allows it (MAILBOX_HOST_ALLOWLIST)`
          : `${name} resolves to ${refused.text}, a loopback, private, link-local or other non-public address; a mail server there is only accepted when the operator allows it (MAILBOX_HOST_ALLOWLIST)`,
      );
    }
    return { host: parsed[0]!.text, ...(name === null ? {} : { servername: name }) };
  }

  private async addressesOf(name: string): Promise<string[]> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const found = await Promise.race([
        this.lookup(name),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new MailHostRefused('not_found', `${name} could not be resolved within ${this.timeoutMs} ms`)), this.timeoutMs);
        }),
      ]);
      if (found.length === 0) throw new MailHostRefused('not_found', `${name} has no address`);
      return found.map((f) => f.address);
    } catch (err) {
      if (err instanceof MailHostRefused) throw err;
      throw new MailHostRefused('not_found', `${name} could not be resolved (${(err as NodeJS.ErrnoException).code ?? 'DNS error'})`);
    } finally {
      clearTimeout(timer);
    }
  }
}
