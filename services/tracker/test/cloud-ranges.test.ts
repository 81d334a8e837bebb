import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CloudRangeIndex, CloudRangesFile, parseAddress, parseCloudList, refreshCloudRanges } from '../src';

/**
 * The providers' lists as saved copies: small files we wrote in each provider's documented shape
 * (test/fixtures/cloud-ranges: AWS ip-ranges.json, Google Cloud cloud.json, Azure
 * ServiceTags_Public_<date>.json, Oracle public_ip_ranges.json), a few prefixes each, with the
 * entries the refresh must leave out beside the ones it keeps.
 */
const FIXTURES = resolve(__dirname, '../../test/fixtures/cloud-ranges');
const REFRESH = resolve(__dirname, '../src/classification/refresh-signatures.js');
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
const regionsOf = (name: string) => Object.fromEntries(parseCloudList(fixture(name), name).regions);

test('each provider list is read in its documented shape, keeping only what customers rent', () => {
  const cases: { file: string; provider: string; publishedAt: string; regions: Record<string, string[]> }[] = [
    // EC2 only (not AMAZON, CLOUDFRONT: Amazon's own services), IPv4 and IPv6.
    { file: 'ip-ranges.json', provider: 'AWS', publishedAt: '2026-11-30T08:00:00.000Z', regions: { 'us-east-1': ['3.80.0.0/12', '3.84.0.0/14', '2600:1f18::/33'], 'eu-central-1': ['18.184.0.0/15'] } },
    { file: 'cloud.json', provider: 'Google Cloud', publishedAt: '2026-11-30T10:00:00.000Z', regions: { 'africa-south1': ['34.1.208.0/20'], 'us-central1': ['35.192.0.0/14', '2600:1900:4000::/44'] } },
    // AzureCloud.<region> tags only (not the region-less AzureCloud, not Storage.*); the date from the file name.
    { file: 'ServiceTags_Public_20261130.json', provider: 'Azure', publishedAt: '2026-11-30T00:00:00.000Z', regions: { eastus: ['20.42.0.0/17', '2603:1030:210::/47'], westeurope: ['20.50.0.0/18'] } },
    // OCI only (not OSN / OBJECT_STORAGE, Oracle's service network).
    { file: 'public_ip_ranges.json', provider: 'Oracle Cloud', publishedAt: '2026-11-29T19:55:47.204Z', regions: { 'us-ashburn-1': ['129.213.0.0/18'], 'eu-frankfurt-1': ['130.61.0.0/16'] } },
  ];
  for (const c of cases) {
    const list = parseCloudList(fixture(c.file), c.file);
    assert.equal(list.provider, c.provider, c.file);
    assert.equal(list.publishedAt, c.publishedAt, c.file);
    assert.deepEqual(regionsOf(c.file), c.regions, c.file);
  }
  assert.throws(() => parseCloudList({ hello: 'world' }, 'other.json'), /other\.json: not an AWS ip-ranges\.json, Google Cloud cloud\.json, Azure ServiceTags or Oracle public_ip_ranges\.json list/);
});

test('npm run signatures:refresh rebuilds the data file from a folder of saved lists; the index names provider and region', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cloud-ranges-'));
  try {
    const out = join(dir, 'cloud-ranges.json');
    const { stdout } = await promisify(execFile)(process.execPath, [REFRESH, '--from', FIXTURES, '--out', out]);
    assert.match(stdout, /^AWS: 3 prefixes, published 2026-11-30T08:00:00\.000Z \(ip-ranges\.json\)$/m);
    assert.match(stdout, /^Azure: 3 prefixes, published 2026-11-30T00:00:00\.000Z \(ServiceTags_Public_20261130\.json\)$/m);
    const file = CloudRangesFile.parse(JSON.parse(readFileSync(out, 'utf8')));
    assert.deepEqual(file.sources.map((s) => s.provider), ['AWS', 'Google Cloud', 'Azure', 'Oracle Cloud']);
    assert.ok(file.generatedAt && Date.parse(file.generatedAt) > Date.now() - 60_000);
    // 3.84.0.0/14 is inside 3.80.0.0/12 (same region): kept once.
    assert.deepEqual(file.ranges.find((r) => r.provider === 'AWS' && r.region === 'us-east-1')?.cidrs, ['3.80.0.0/12', '2600:1f18::/33']);

    const index = CloudRangeIndex.compile(file);
    const where = (ip: string) => {
      const place = index.find(parseAddress(ip));
      return place ? `${place.provider} ${place.region}` : null;
    };
    const table: [string, string | null][] = [
      ['3.80.0.1', 'AWS us-east-1'],
      ['3.95.255.255', 'AWS us-east-1'],
      ['3.96.0.0', null],
      ['2600:1f18:4000::1', 'AWS us-east-1'],
      ['::ffff:18.185.1.1', 'AWS eu-central-1'],
      ['52.94.0.1', null],
      ['35.193.10.10', 'Google Cloud us-central1'],
      ['2600:1900:4000::2', 'Google Cloud us-central1'],
      ['20.42.1.1', 'Azure eastus'],
      ['13.64.0.1', null],
      ['20.38.98.1', null],
      ['2603:1030:211::1', 'Azure eastus'],
      ['129.213.1.1', 'Oracle Cloud us-ashburn-1'],
      ['134.70.24.1', null],
      ['192.0.2.1', null],
      ['not an address', null],
    ];
    for (const [ip, expected] of table) assert.equal(where(ip), expected, ip);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a refresh of some providers keeps the others; a bad prefix or an unknown list is refused, naming it', async () => {
  const current = await refreshCloudRanges([FIXTURES], null, new Date('2026-12-01T00:00:00Z'));
  const dir = mkdtempSync(join(tmpdir(), 'cloud-ranges-'));
  try {
    const aws = fixture('ip-ranges.json') as { createDate: string; prefixes: { ip_prefix: string; region: string; service: string }[] };
    writeFileSync(join(dir, 'ip-ranges.json'), JSON.stringify({ ...aws, createDate: '2026-12-07-08-00-00', prefixes: [{ ip_prefix: '15.228.0.0/15', region: 'sa-east-1', service: 'EC2' }], ipv6_prefixes: [] }));
    const renewed = await refreshCloudRanges([join(dir, 'ip-ranges.json')], current, new Date('2026-12-08T00:00:00Z'));
    assert.deepEqual(renewed.ranges.filter((r) => r.provider === 'AWS').map((r) => [r.region, r.cidrs]), [['sa-east-1', ['15.228.0.0/15']]]);
    assert.deepEqual(renewed.sources.map((s) => [s.provider, s.publishedAt]), [
      ['Google Cloud', '2026-11-30T10:00:00.000Z'],
      ['Azure', '2026-11-30T00:00:00.000Z'],
      ['Oracle Cloud', '2026-11-29T19:55:47.204Z'],
      ['AWS', '2026-12-07T08:00:00.000Z'],
    ]);

    writeFileSync(join(dir, 'ip-ranges.json'), JSON.stringify({ ...aws, prefixes: [{ ip_prefix: '15.228.0.0/33', region: 'sa-east-1', service: 'EC2' }], ipv6_prefixes: [] }));
    await assert.rejects(refreshCloudRanges([dir], current, new Date()), /ip-ranges\.json: AWS sa-east-1: "15\.228\.0\.0\/33" is not a valid CIDR/);
    await assert.rejects(refreshCloudRanges([join(dir, 'nothing-here')], current, new Date()), /no such file or folder/);
    await assert.rejects(refreshCloudRanges(['http://example.com/ip-ranges.json'], current, new Date()), /only https URLs/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
