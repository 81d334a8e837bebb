import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BlockList } from 'node:net';
import { AddressRanges, cidrCoverage, parseAddress } from '../src/address-ranges';

test('parses IPv4, IPv6 and IPv4-mapped IPv6 the way sockets and proxies write them', () => {
  assert.deepEqual(parseAddress('203.0.113.7'), { family: 4, value: 0xcb007107 });
  assert.deepEqual(parseAddress('0.0.0.0'), { family: 4, value: 0 });
  assert.deepEqual(parseAddress('255.255.255.255'), { family: 4, value: 0xffffffff });
  assert.deepEqual(parseAddress('::ffff:203.0.113.7'), { family: 4, value: 0xcb007107 });
  assert.deepEqual(parseAddress('::FFFF:cb00:7107'), { family: 4, value: 0xcb007107 });
  assert.deepEqual(parseAddress('2001:db8::1'), { family: 6, value: (0x20010db8n << 96n) | 1n });
  assert.deepEqual(parseAddress('::1'), { family: 6, value: 1n });
  assert.deepEqual(parseAddress('::'), { family: 6, value: 0n });
  assert.deepEqual(parseAddress('fe80::1%eth0'), { family: 6, value: (0xfe80n << 112n) | 1n });
  assert.deepEqual(parseAddress('64:ff9b::192.0.2.33'), { family: 6, value: (0x64ff9bn << 96n) | 0xc0000221n });
});

test('anything that is not an address parses as none', () => {
  for (const bad of [null, undefined, '', 'unknown', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.4 ', ' 1.2.3.4', '1..2.3', '1.2.3.-4', '2001:db8::g', '1:2:3:4:5:6:7:8:9', '::ffff:1.2.3.256', 'example.com']) {
    assert.equal(parseAddress(bad), null, String(bad));
  }
});

test('bad CIDRs are refused, naming where they came from', () => {
  for (const bad of ['10.0.0.0/33', '10.0.0.0', '10.0.0/8', '2001:db8::/129', 'fe80::1%eth0/64', '10.0.0.0/-1', '10.0.0.0/8/8', 'x/8', '10.0.0.0/ 8']) {
    assert.throws(() => AddressRanges.compile([bad], 'office ranges of o1'), (err: Error) => err.message.includes('office ranges of o1') && err.message.includes(bad), bad);
  }
});

test('agrees with net.BlockList on a mixed set of v4 and v6 ranges, edges included', () => {
  const cidrs = ['10.0.0.0/8', '192.0.2.0/24', '198.51.100.128/25', '203.0.113.7/32', '0.0.0.0/32', '255.255.255.255/32', '2001:db8:1::/48', '2001:db8:2::/128', 'fe80::/10', '10.0.0.0/16'];
  const ranges = AddressRanges.compile(cidrs, 'test');
  const oracle = new BlockList();
  for (const cidr of cidrs) {
    const [address, prefix] = cidr.split('/') as [string, string];
    oracle.addSubnet(address, Number(prefix), address.includes(':') ? 'ipv6' : 'ipv4');
  }
  const probes = [
    '9.255.255.255', '10.0.0.0', '10.255.255.255', '11.0.0.0', '192.0.1.255', '192.0.2.0', '192.0.2.255', '192.0.3.0',
    '198.51.100.127', '198.51.100.128', '198.51.100.255', '198.51.101.0', '203.0.113.6', '203.0.113.7', '203.0.113.8',
    '0.0.0.0', '0.0.0.1', '255.255.255.254', '255.255.255.255',
    '2001:db8:0:ffff:ffff:ffff:ffff:ffff', '2001:db8:1::', '2001:db8:1:ffff:ffff:ffff:ffff:ffff', '2001:db8:2::', '2001:db8:2::1',
    'fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fe80::', 'febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fec0::', '::1',
  ];
  for (const ip of probes) {
    assert.equal(ranges.has(parseAddress(ip)), oracle.check(ip, ip.includes(':') ? 'ipv6' : 'ipv4'), ip);
  }
  // Random probes around and inside the ranges.
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (let i = 0; i < 5_000; i++) {
    const first = [10, 192, 198, 203, 11, 0, 255][next() % 7]!;
    const ip = `${first}.${next() % 256}.${next() % 256}.${next() % 256}`;
    assert.equal(ranges.has(parseAddress(ip)), oracle.check(ip, 'ipv4'), ip);
  }
});

test('IPv4 ranges match IPv4-mapped IPv6 clients, and mapped ranges match IPv4 clients', () => {
  const v4 = AddressRanges.compile(['198.51.100.0/24'], 'test');
  assert.equal(v4.has(parseAddress('::ffff:198.51.100.9')), true);
  assert.equal(v4.has(parseAddress('::ffff:198.51.101.9')), false);
  const mapped = AddressRanges.compile(['::ffff:198.51.100.0/120'], 'test');
  assert.equal(mapped.has(parseAddress('198.51.100.200')), true);
  assert.equal(mapped.has(parseAddress('198.51.99.200')), false);
  const everything = AddressRanges.compile(['::/0'], 'test');
  assert.equal(everything.has(parseAddress('192.0.2.1')), true);
  assert.equal(everything.has(parseAddress('2001:db8::5')), true);
  assert.equal(AddressRanges.compile([], 'test').has(parseAddress('192.0.2.1')), false);
  assert.equal(v4.has(null), false);
});

test('cidrCoverage: how many IPv4 and IPv6 addresses a CIDR covers, IPv4-mapped ranges counted as IPv4', () => {
  assert.deepEqual(cidrCoverage('203.0.113.7/24'), { ipv4Prefix: 24, ipv6Prefix: null });
  assert.deepEqual(cidrCoverage('0.0.0.0/0'), { ipv4Prefix: 0, ipv6Prefix: null });
  assert.deepEqual(cidrCoverage('2001:db8::/32'), { ipv4Prefix: null, ipv6Prefix: 32 });
  assert.deepEqual(cidrCoverage('::ffff:10.0.0.0/104'), { ipv4Prefix: 8, ipv6Prefix: 104 });
  assert.deepEqual(cidrCoverage('::ffff:0:0/96'), { ipv4Prefix: 0, ipv6Prefix: 96 });
  assert.deepEqual(cidrCoverage('::/32'), { ipv4Prefix: 0, ipv6Prefix: 32 }, '::/32 holds ::ffff:0:0/96, every IPv4 client');
  assert.deepEqual(cidrCoverage('::/0'), { ipv4Prefix: 0, ipv6Prefix: 0 });
  assert.equal(cidrCoverage('10.0.0.0'), null);
  assert.equal(cidrCoverage('10.0.0.0/33'), null);
});
