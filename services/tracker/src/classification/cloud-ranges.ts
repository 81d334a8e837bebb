import { isIPv4 } from 'node:net';
import { z } from 'zod';
import { cidrCoverage, parseAddress, type ParsedAddress } from '@telltale/contracts/dist/src/address-ranges';

/**
 * Public cloud address ranges (AWS, Google Cloud, Azure, Oracle Cloud) as a signature source: a
 * click from a cloud data centre is a program on a rented machine (a scanner, a headless browser),
 * almost never a prospect reading mail. Built from the providers' machine-readable publications by
 * `npm run signatures:refresh` into `data/cloud-ranges.json`, which records where each list came
 * from and when the provider published it (docs/tracking-classification.md, "Signature data").
 */

const MAX_NAME = 80;
const Cidr = z.string().max(50).regex(/^[0-9a-fA-F:.]+\/\d{1,3}$/, 'must be an address/prefix CIDR');
export const CLOUD_PROVIDERS = ['AWS', 'Google Cloud', 'Azure', 'Oracle Cloud'] as const;
export type CloudProvider = (typeof CLOUD_PROVIDERS)[number];

/** The data file (`data/cloud-ranges.json`). */
export const CloudRangesFile = z.object({
  format: z.literal(1),
  /** When the refresh command wrote the file; null for a file no refresh has filled. */
  generatedAt: z.iso.datetime().nullable(),
  sources: z
    .array(
      z.object({
        provider: z.enum(CLOUD_PROVIDERS),
        /** The URL or file name it was read from. */
        source: z.string().min(1).max(500),
        /** The provider's own publication time, when the list carries one (an ISO date-time). */
        publishedAt: z.iso.datetime().nullable(),
        prefixes: z.int().min(0),
      }),
    )
    .max(20),
  ranges: z.array(z.object({ provider: z.enum(CLOUD_PROVIDERS), region: z.string().min(1).max(MAX_NAME), cidrs: z.array(Cidr).min(1).max(100_000) })).max(5_000),
});
export type CloudRangesFile = z.infer<typeof CloudRangesFile>;

export const EMPTY_CLOUD_RANGES: CloudRangesFile = { format: 1, generatedAt: null, sources: [], ranges: [] };

export interface CloudPlace {
  provider: CloudProvider;
  region: string;
}

/** Sorted, non-overlapping intervals, each naming its place; lookup is one binary search. */
class PlaceIntervals<T extends number | bigint> {
  private readonly starts: T[] = [];
  private readonly ends: T[] = [];
  private readonly places: CloudPlace[] = [];

  constructor(entries: { start: T; end: T; place: CloudPlace }[]) {
    entries.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.end > b.end ? -1 : a.end < b.end ? 1 : 0));
    for (const e of entries) {
      const last = this.ends.length - 1;
      let start = e.start;
      if (last >= 0 && start <= this.ends[last]!) {
        // Inside (or overlapping) the one before: the earlier, wider range keeps what they share.
        if (e.end <= this.ends[last]!) continue;
        start = (typeof start === 'bigint' ? (this.ends[last] as bigint) + 1n : (this.ends[last] as number) + 1) as T;
      }
      this.starts.push(start);
      this.ends.push(e.end);
      this.places.push(e.place);
    }
  }

  get size(): number {
    return this.starts.length;
  }

  find(value: T): CloudPlace | null {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (value < this.starts[mid]!) hi = mid - 1;
      else if (value > this.ends[mid]!) lo = mid + 1;
      else return this.places[mid]!;
    }
    return null;
  }
}

/** A CIDR's first and last address (IPv4 as a number, IPv6 as a bigint), from the shared parser. */
function bounds(cidr: string): { family: 4; start: number; end: number } | { family: 6; start: bigint; end: bigint } | null {
  const slash = cidr.indexOf('/');
  const coverage = cidrCoverage(cidr);
  const first = parseAddress(cidr.slice(0, slash));
  if (!coverage || !first) return null;
  const prefix = Number(cidr.slice(slash + 1));
  if (first.family === 4 && isIPv4(cidr.slice(0, slash))) {
    const size = 2 ** (32 - prefix);
    const start = Math.floor(first.value / size) * size;
    return { family: 4, start, end: start + size - 1 };
  }
  if (first.family === 6) {
    const host = BigInt(128 - prefix);
    const start = (first.value >> host) << host;
    return { family: 6, start, end: start | ((1n << host) - 1n) };
  }
  // An IPv6 range written as IPv4-mapped (::ffff:a.b.c.d/n): no provider publishes one.
  return null;
}

/**
 * The compiled ranges: which provider and region an address is in. Every hit is checked once, so
 * one index over all providers (a binary search on an address parsed once per hit), not a check
 * per region (bench/cloud-ranges.bench.ts measures both, and `net.BlockList`).
 */
export class CloudRangeIndex {
  private constructor(
    private readonly v4: PlaceIntervals<number>,
    private readonly v6: PlaceIntervals<bigint>,
    readonly file: CloudRangesFile,
  ) {}

  static compile(file: CloudRangesFile): CloudRangeIndex {
    const v4: { start: number; end: number; place: CloudPlace }[] = [];
    const v6: { start: bigint; end: bigint; place: CloudPlace }[] = [];
    file.ranges.forEach((range, i) => {
      const place = { provider: range.provider, region: range.region };
      for (const cidr of range.cidrs) {
        const b = bounds(cidr);
        if (!b) throw new Error(`ranges[${i}] (${range.provider} ${range.region}): "${cidr}" is not a valid CIDR`);
        if (b.family === 4) v4.push({ start: b.start, end: b.end, place });
        else v6.push({ start: b.start, end: b.end, place });
      }
    });
    return new CloudRangeIndex(new PlaceIntervals(v4), new PlaceIntervals(v6), file);
  }

  get intervals(): number {
    return this.v4.size + this.v6.size;
  }

  find(address: ParsedAddress | null): CloudPlace | null {
    if (address === null) return null;
    return address.family === 4 ? this.v4.find(address.value) : this.v6.find(address.value);
  }
}

// ---- The providers' publications (their documented shapes; unknown fields are ignored) ----

/** One provider's list, read: its regions' CIDRs and when the provider published it. */
export interface ParsedCloudList {
  provider: CloudProvider;
  publishedAt: string | null;
  regions: Map<string, string[]>;
}

const AwsList = z.object({
  syncToken: z.string().optional(),
  createDate: z.string(),
  prefixes: z.array(z.object({ ip_prefix: z.string(), region: z.string(), service: z.string() })),
  ipv6_prefixes: z.array(z.object({ ipv6_prefix: z.string(), region: z.string(), service: z.string() })).default([]),
});
const GoogleCloudList = z.object({
  syncToken: z.string().optional(),
  creationTime: z.string(),
  prefixes: z.array(z.object({ ipv4Prefix: z.string().optional(), ipv6Prefix: z.string().optional(), service: z.string().optional(), scope: z.string() })),
});
const AzureServiceTags = z.object({
  changeNumber: z.number().optional(),
  cloud: z.string(),
  values: z.array(z.object({ name: z.string(), properties: z.object({ region: z.string().default(''), addressPrefixes: z.array(z.string()) }) })),
});
const OracleList = z.object({
  last_updated_timestamp: z.string(),
  regions: z.array(z.object({ region: z.string(), cidrs: z.array(z.object({ cidr: z.string(), tags: z.array(z.string()).default([]) })) })),
});

function add(regions: Map<string, string[]>, region: string, cidr: string): void {
  const name = region.slice(0, MAX_NAME) || 'global';
  regions.set(name, [...(regions.get(name) ?? []), cidr]);
}

/** "2026-11-30-08-15-02" (AWS's createDate, UTC) to ISO. */
function awsDate(text: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})$/.exec(text);
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)).toISOString() : null;
}

/** A date-time without a zone (Google's creationTime, Oracle's timestamp) is UTC. */
function isoDate(text: string): string | null {
  const withZone = /(Z|[+-]\d{2}:?\d{2})$/.test(text) ? text : `${text}Z`;
  const ms = Date.parse(withZone);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/**
 * Reads one provider's list, recognised by its shape:
 * - AWS `ip-ranges.json`: `prefixes[].ip_prefix` and `ipv6_prefixes[].ipv6_prefix` of service
 *   `EC2` (instances customers rent; the rest are AWS's own services), by `region`; `createDate`.
 * - Google Cloud `cloud.json`: `prefixes[].ipv4Prefix|ipv6Prefix` by `scope`; `creationTime`.
 * - Azure `ServiceTags_Public_<yyyymmdd>.json`: the `AzureCloud.<region>` tags' `addressPrefixes`
 *   (the date is only in the file name, `name`).
 * - Oracle Cloud `public_ip_ranges.json`: `regions[].cidrs[]` tagged `OCI` (customers' addresses;
 *   not `OSN`, Oracle's service network); `last_updated_timestamp`.
 */
export function parseCloudList(json: unknown, name: string): ParsedCloudList {
  const regions = new Map<string, string[]>();
  const aws = AwsList.safeParse(json);
  if (aws.success) {
    for (const p of aws.data.prefixes) if (p.service === 'EC2') add(regions, p.region, p.ip_prefix);
    for (const p of aws.data.ipv6_prefixes) if (p.service === 'EC2') add(regions, p.region, p.ipv6_prefix);
    return { provider: 'AWS', publishedAt: awsDate(aws.data.createDate), regions };
  }
  const google = GoogleCloudList.safeParse(json);
  if (google.success) {
    for (const p of google.data.prefixes) {
      for (const cidr of [p.ipv4Prefix, p.ipv6Prefix]) if (cidr) add(regions, p.scope, cidr);
    }
    return { provider: 'Google Cloud', publishedAt: isoDate(google.data.creationTime), regions };
  }
  const azure = AzureServiceTags.safeParse(json);
  if (azure.success) {
    for (const tag of azure.data.values) {
      if (!tag.name.startsWith('AzureCloud.') || tag.properties.region === '') continue;
      for (const cidr of tag.properties.addressPrefixes) add(regions, tag.properties.region, cidr);
    }
    const date = /(\d{4})(\d{2})(\d{2})/.exec(name);
    return { provider: 'Azure', publishedAt: date ? `${date[1]}-${date[2]}-${date[3]}T00:00:00.000Z` : null, regions };
  }
  const oracle = OracleList.safeParse(json);
  if (oracle.success) {
    for (const r of oracle.data.regions) for (const c of r.cidrs) if (c.tags.includes('OCI')) add(regions, r.region, c.cidr);
    return { provider: 'Oracle Cloud', publishedAt: isoDate(oracle.data.last_updated_timestamp), regions };
  }
  throw new Error(`${name}: not an AWS ip-ranges.json, Google Cloud cloud.json, Azure ServiceTags or Oracle public_ip_ranges.json list`);
}

/**
 * The data file from the lists read: each provider once (the last list of a provider wins), its
 * regions sorted, each region's CIDRs valid, de-duplicated and without those inside another of the
 * region. A CIDR that is not one is refused, naming it: a provider's format change must not ship
 * half a list.
 */
export function buildCloudRangesFile(lists: readonly { list: ParsedCloudList; source: string }[], now: Date): CloudRangesFile {
  const byProvider = new Map<CloudProvider, { list: ParsedCloudList; source: string }>();
  for (const l of lists) byProvider.set(l.list.provider, l);
  const sources: CloudRangesFile['sources'] = [];
  const ranges: CloudRangesFile['ranges'] = [];
  for (const provider of CLOUD_PROVIDERS) {
    const entry = byProvider.get(provider);
    if (!entry) continue;
    let prefixes = 0;
    for (const region of [...entry.list.regions.keys()].sort()) {
      const kept = withoutNested(entry.list.regions.get(region) ?? [], `${entry.source}: ${provider} ${region}`);
      prefixes += kept.length;
      ranges.push({ provider, region, cidrs: kept });
    }
    sources.push({ provider, source: entry.source.slice(0, 500), publishedAt: entry.list.publishedAt, prefixes });
  }
  return CloudRangesFile.parse({ format: 1, generatedAt: now.toISOString(), sources, ranges });
}

/** The CIDRs, valid (or an error naming the bad one), de-duplicated, without those inside another; in address order. */
function withoutNested(cidrs: readonly string[], where: string): string[] {
  const parsed = [...new Set(cidrs.map((c) => c.trim()))].map((cidr) => {
    const b = bounds(cidr);
    if (!b) throw new Error(`${where}: "${cidr}" is not a valid CIDR`);
    return { cidr, family: b.family, start: BigInt(b.start), end: BigInt(b.end) };
  });
  parsed.sort((a, b) => a.family - b.family || (a.start < b.start ? -1 : a.start > b.start ? 1 : a.end > b.end ? -1 : a.end < b.end ? 1 : 0));
  const kept: string[] = [];
  let reach: { family: number; end: bigint } | null = null;
  for (const p of parsed) {
    if (reach && reach.family === p.family && p.end <= reach.end) continue;
    kept.push(p.cidr);
    reach = { family: p.family, end: p.end };
  }
  return kept;
}
