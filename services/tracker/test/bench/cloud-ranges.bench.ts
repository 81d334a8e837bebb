/**
 * `node services/tracker/dist/test/bench/cloud-ranges.bench.js`: the cost per hit of recognising a
 * cloud address, at the scale of the providers' real lists (about 200 regions; ~12 000 IPv4 and
 * ~8 000 IPv6 prefixes once nested ones are dropped), with synthetic prefixes. Compares the
 * tracker's index (one binary search over every provider's intervals, on an address parsed once
 * per hit) with node's `net.BlockList`: one list of every prefix (answers only "cloud or not") and
 * one list per region (what naming provider and region takes). Prints JSON; no infrastructure.
 */
import { BlockList } from 'node:net';
import { CloudRangeIndex, parseAddress, type CloudRangesFile } from '../../src';

const REGIONS = Number(process.env.BENCH_REGIONS ?? 200);
const V4_PER_REGION = Number(process.env.BENCH_V4 ?? 60);
const V6_PER_REGION = Number(process.env.BENCH_V6 ?? 40);
const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 200_000);

let seed = 42;
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const octet = () => Math.floor(random() * 256);

const ranges: CloudRangesFile['ranges'] = [];
for (let r = 0; r < REGIONS; r++) {
  const cidrs: string[] = [];
  for (let i = 0; i < V4_PER_REGION; i++) cidrs.push(`${1 + Math.floor(random() * 220)}.${octet()}.${octet() & 0xf0}.0/${20 + Math.floor(random() * 5)}`);
  for (let i = 0; i < V6_PER_REGION; i++) cidrs.push(`2600:${(r * 64 + i).toString(16)}:${octet().toString(16)}::/48`);
  ranges.push({ provider: 'AWS', region: `region-${r}`, cidrs });
}
const file: CloudRangesFile = { format: 1, generatedAt: null, sources: [], ranges };
const addresses = Array.from({ length: 4_096 }, (_, i) => (i % 4 === 0 ? `2600:${Math.floor(random() * REGIONS * 64).toString(16)}:${octet().toString(16)}::1` : `${1 + Math.floor(random() * 220)}.${octet()}.${octet()}.${octet()}`));

function measure(name: string, lookup: (ip: string) => unknown): { name: string; nsPerLookup: number; hits: number } {
  let hits = 0;
  for (let i = 0; i < 20_000; i++) lookup(addresses[i % addresses.length]!);
  const started = process.hrtime.bigint();
  for (let i = 0; i < LOOKUPS; i++) if (lookup(addresses[i % addresses.length]!)) hits += 1;
  const ns = Number(process.hrtime.bigint() - started) / LOOKUPS;
  return { name, nsPerLookup: Math.round(ns), hits };
}

const family = (ip: string) => (ip.includes(':') ? 'ipv6' : 'ipv4');
const addTo = (list: BlockList, cidr: string) => {
  const [net, prefix] = cidr.split('/');
  list.addSubnet(net!, Number(prefix), family(net!));
};

const builtIndex = process.hrtime.bigint();
const index = CloudRangeIndex.compile(file);
const indexMs = Number(process.hrtime.bigint() - builtIndex) / 1e6;
const all = new BlockList();
const perRegion = ranges.map((r) => {
  const list = new BlockList();
  for (const cidr of r.cidrs) {
    addTo(list, cidr);
    addTo(all, cidr);
  }
  return { region: r.region, list };
});

const parsed = new Map(addresses.map((ip) => [ip, parseAddress(ip)]));
const results = [
  measure('CloudRangeIndex (provider and region; parse + binary search)', (ip) => index.find(parseAddress(ip))),
  // What the classifier pays: it parses the hit's address once for every rule.
  measure('CloudRangeIndex, address already parsed (the classifier)', (ip) => index.find(parsed.get(ip)!)),
  measure('net.BlockList, one list of every prefix (cloud or not, no region)', (ip) => all.check(ip, family(ip))),
  measure('net.BlockList per region (provider and region)', (ip) => perRegion.find((r) => r.list.check(ip, family(ip)))),
];
process.stdout.write(
  `${JSON.stringify({ regions: REGIONS, prefixes: REGIONS * (V4_PER_REGION + V6_PER_REGION), indexIntervals: index.intervals, indexBuildMs: Math.round(indexMs), lookups: LOOKUPS, results }, null, 2)}\n`,
);
