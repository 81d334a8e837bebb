import { isIPv4, isIPv6 } from 'node:net';

/**
 * An IP address parsed once per hit: IPv4 (and IPv4-mapped IPv6, `::ffff:a.b.c.d`, which is how a
 * dual-stack socket reports an IPv4 client) as a 32-bit number, IPv6 as a 128-bit bigint.
 */
export type ParsedAddress = { family: 4; value: number } | { family: 6; value: bigint };

const V4_MAPPED_PREFIX = 0xffffn << 32n;
const V4_MAPPED_LAST = V4_MAPPED_PREFIX | 0xffffffffn;
const V4_MAPPED_MASK = ~0xffffffffn & ((1n << 128n) - 1n);

/** Dotted quad to a 32-bit number, or -1; strict like `net.isIPv4` (no leading zeros, 0–255). */
function parseIPv4(text: string, from = 0): number {
  let value = 0;
  let octets = 0;
  let i = from;
  while (octets < 4) {
    const start = i;
    let octet = 0;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      octet = octet * 10 + (c - 48);
      i += 1;
    }
    const digits = i - start;
    if (digits === 0 || digits > 3 || octet > 255 || (digits > 1 && text.charCodeAt(start) === 48)) return -1;
    value = value * 256 + octet;
    octets += 1;
    if (octets < 4) {
      if (text.charCodeAt(i) !== 46) return -1;
      i += 1;
    }
  }
  return i === text.length ? value : -1;
}

/** Validated IPv6 text (zone id stripped) to a 128-bit bigint. */
function parseIPv6(text: string): bigint {
  let head = text;
  let tailV4: number | null = null;
  const lastColon = head.lastIndexOf(':');
  if (head.indexOf('.', lastColon) >= 0) {
    tailV4 = parseIPv4(head, lastColon + 1);
    head = `${head.slice(0, lastColon + 1)}0:0`;
  }
  const [left = '', right] = head.split('::');
  const groups = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const leftGroups = groups(left);
  const rightGroups = right === undefined ? [] : groups(right);
  const all = [...leftGroups, ...new Array<number>(8 - leftGroups.length - rightGroups.length).fill(0), ...rightGroups];
  let value = 0n;
  for (const g of all) value = (value << 16n) | BigInt(g);
  if (tailV4 !== null) value = (value & V4_MAPPED_MASK) | BigInt(tailV4);
  return value;
}

/** Parses an address as it comes from a socket or X-Forwarded-For; null when it is not one. */
export function parseAddress(ip: string | null | undefined): ParsedAddress | null {
  if (!ip) return null;
  const v4 = parseIPv4(ip);
  if (v4 >= 0) return { family: 4, value: v4 };
  const zone = ip.indexOf('%');
  const text = zone >= 0 ? ip.slice(0, zone) : ip;
  if (!isIPv6(text)) return null;
  const value = parseIPv6(text);
  if (value >= V4_MAPPED_PREFIX && value <= V4_MAPPED_LAST) return { family: 4, value: Number(value & 0xffffffffn) };
  return { family: 6, value };
}

const successor = <T extends number | bigint>(value: T): T => (typeof value === 'bigint' ? value + 1n : (value as number) + 1) as T;

/** Sorted, merged [start, end] intervals; `contains` is a binary search. */
class Intervals<T extends number | bigint> {
  private readonly starts: T[] = [];
  private readonly ends: T[] = [];

  constructor(ranges: [T, T][]) {
    ranges.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [start, end] of ranges) {
      const last = this.ends.length - 1;
      // Adjacent or overlapping: one interval.
      if (last >= 0 && start <= successor(this.ends[last]!)) {
        if (end > this.ends[last]!) this.ends[last] = end;
      } else {
        this.starts.push(start);
        this.ends.push(end);
      }
    }
  }

  get size(): number {
    return this.starts.length;
  }

  contains(value: T): boolean {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (value < this.starts[mid]!) hi = mid - 1;
      else if (value > this.ends[mid]!) lo = mid + 1;
      else return true;
    }
    return false;
  }
}

/**
 * A CIDR as the intervals it covers: IPv4 addresses as 32-bit numbers, and IPv6 addresses outside
 * `::ffff:0:0/96` as 128-bit numbers (the part of an IPv6 range inside ::ffff:0:0/96 names IPv4
 * clients, which parseAddress reads as IPv4). Null when it is not a CIDR.
 */
function cidrParts(cidr: string): { v4: [number, number] | null; v6: [bigint, bigint] | null; family: 4 | 6; prefix: number } | null {
  const slash = cidr.indexOf('/');
  const address = slash >= 0 ? cidr.slice(0, slash) : '';
  const prefixText = slash >= 0 ? cidr.slice(slash + 1) : '';
  const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (isIPv4(address) && prefix <= 32) {
    const size = 2 ** (32 - prefix);
    const start = Math.floor(parseIPv4(address) / size) * size;
    return { v4: [start, start + size - 1], v6: null, family: 4, prefix };
  }
  if (isIPv6(address) && !address.includes('%') && prefix <= 128) {
    const hostBits = BigInt(128 - prefix);
    const start = (parseIPv6(address) >> hostBits) << hostBits;
    const end = start | ((1n << hostBits) - 1n);
    const mappedStart = start > V4_MAPPED_PREFIX ? start : V4_MAPPED_PREFIX;
    const mappedEnd = end < V4_MAPPED_LAST ? end : V4_MAPPED_LAST;
    return {
      v4: mappedStart <= mappedEnd ? [Number(mappedStart & 0xffffffffn), Number(mappedEnd & 0xffffffffn)] : null,
      v6: start < V4_MAPPED_PREFIX || end > V4_MAPPED_LAST ? [start, end] : null,
      family: 6,
      prefix,
    };
  }
  return null;
}

/**
 * How much of each address space a CIDR covers, as prefix lengths: `ipv4Prefix` for the IPv4
 * addresses it covers (an IPv6 range over ::ffff:0:0/96 covers IPv4 clients too: `::/32` covers
 * every one, /0), null when none; `ipv6Prefix` for an IPv6 range. Null when it is not a CIDR.
 */
export function cidrCoverage(cidr: string): { ipv4Prefix: number | null; ipv6Prefix: number | null } | null {
  const parts = cidrParts(cidr);
  if (!parts) return null;
  const ipv4Prefix = parts.v4 ? 32 - Math.log2(parts.v4[1] - parts.v4[0] + 1) : null;
  return { ipv4Prefix, ipv6Prefix: parts.family === 6 ? parts.prefix : null };
}

/**
 * A set of CIDR ranges (IPv4 and IPv6), compiled once. Checking an address is a binary search over
 * merged intervals on an address parsed once per hit: the classifier checks every hit against
 * every signature's ranges, and `net.BlockList` (a native call that re-parses the address text each
 * time) cost about 8% of the pixel's request thread.
 */
export class AddressRanges {
  private constructor(
    private readonly v4: Intervals<number>,
    private readonly v6: Intervals<bigint>,
  ) {}

  /** Builds the set; throws naming `where` and the bad entry. */
  static compile(cidrs: readonly string[], where: string): AddressRanges {
    const v4: [number, number][] = [];
    const v6: [bigint, bigint][] = [];
    for (const cidr of cidrs) {
      const parts = cidrParts(cidr);
      if (!parts) throw new Error(`${where}: "${cidr}" is not a valid CIDR`);
      if (parts.v4) v4.push(parts.v4);
      if (parts.v6) v6.push(parts.v6);
    }
    return new AddressRanges(new Intervals(v4), new Intervals(v6));
  }

  get empty(): boolean {
    return this.v4.size === 0 && this.v6.size === 0;
  }

  has(address: ParsedAddress | null): boolean {
    if (address === null) return false;
    return address.family === 4 ? this.v4.contains(address.value) : this.v6.contains(address.value);
  }
}
