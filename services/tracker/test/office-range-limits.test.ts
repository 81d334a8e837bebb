import { test } from 'node:test';
import assert from 'node:assert/strict';
import { officeRangeTooBroad } from '../src/devices/office-ranges.service';
import { TrackerConfig } from '../src/tracker.config';

const required = { DATABASE_URL: 'postgres://x@localhost/x', KAFKA_BROKERS: 'localhost:9092', TRACKING_SIGNING_KEYS: 'k' };

test('the limits default to /8 and /32 and come from OFFICE_RANGE_MIN_PREFIX_V4 / _V6', () => {
  const defaults = TrackerConfig.parse(required);
  assert.equal(defaults.OFFICE_RANGE_MIN_PREFIX_V4, 8);
  assert.equal(defaults.OFFICE_RANGE_MIN_PREFIX_V6, 32);
  const strict = TrackerConfig.parse({ ...required, OFFICE_RANGE_MIN_PREFIX_V4: '16', OFFICE_RANGE_MIN_PREFIX_V6: '48' });
  const limits = { minPrefixV4: strict.OFFICE_RANGE_MIN_PREFIX_V4, minPrefixV6: strict.OFFICE_RANGE_MIN_PREFIX_V6 };
  assert.match(officeRangeTooBroad('10.0.0.0/8', limits) ?? '', /\/16 or narrower/);
  assert.equal(officeRangeTooBroad('10.1.0.0/16', limits), null);
  assert.match(officeRangeTooBroad('2001:db8::/32', limits) ?? '', /\/48 or narrower/);
  assert.equal(officeRangeTooBroad('2001:db8:1::/48', limits), null);
  assert.throws(() => TrackerConfig.parse({ ...required, OFFICE_RANGE_MIN_PREFIX_V4: '33' }));
});

test('whatever the limits, a range over the IPv4-mapped block is held to the IPv4 limit', () => {
  const limits = { minPrefixV4: 8, minPrefixV6: 32 };
  assert.match(officeRangeTooBroad('::ffff:0.0.0.0/100', limits) ?? '', /more IPv4 addresses than a \/8/);
  assert.equal(officeRangeTooBroad('::ffff:192.0.2.0/120', limits), null);
  assert.equal(officeRangeTooBroad('not a range', limits), null, 'left to the request schema');
});
