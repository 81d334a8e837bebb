import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSigningKeySpec, parseSigningKeys } from '@telltale/tracking';
import { allowedReturnUrl, deviceSetCookie, readDeviceCookie, signDeviceRegistrationToken, verifyDeviceRegistrationToken } from '../src';

const keys = parseSigningKeys(generateSigningKeySpec('k1'));
const orgId = '11111111-1111-4111-8111-111111111111';
const userId = '22222222-2222-4222-8222-222222222222';
const now = new Date('2026-11-27T10:00:00Z');

test('a registration token verifies until it expires, and only under its key', () => {
  const { token, expiresAt } = signDeviceRegistrationToken({ orgId, userId }, keys, now);
  assert.deepEqual(verifyDeviceRegistrationToken(token, keys, now), { ok: true, claims: { orgId, userId, expiresAt } });
  assert.deepEqual(verifyDeviceRegistrationToken(token, keys, new Date(now.getTime() + 300_000)), { ok: false, reason: 'expired' });
  assert.deepEqual(verifyDeviceRegistrationToken(token, parseSigningKeys(generateSigningKeySpec('k1')), now), { ok: false, reason: 'bad_signature' });
  assert.deepEqual(verifyDeviceRegistrationToken(token, parseSigningKeys(generateSigningKeySpec('k2')), now), { ok: false, reason: 'unknown_key' });
});

test('forged and garbled registration tokens are refused', () => {
  const { token } = signDeviceRegistrationToken({ orgId, userId }, keys, now);
  const [payload, mac] = token.split('.') as [string, string];
  const other = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), u: orgId })).toString('base64url');
  assert.deepEqual(verifyDeviceRegistrationToken(`${other}.${mac}`, keys, now), { ok: false, reason: 'bad_signature' });
  for (const garbled of ['', 'abc', `${payload}.`, `${payload}.${mac}.x`, 'a'.repeat(600), `${payload}!.${mac}`, 'eyJ4IjoxfQ.AAAA']) {
    assert.equal(verifyDeviceRegistrationToken(garbled, keys, now).ok, false, garbled.slice(0, 20));
  }
});

test('return URLs: only the configured app origins, never an open redirect', () => {
  const allowed = ['https://app.telltale.example'];
  const table: [unknown, string | null][] = [
    ['https://app.telltale.example/settings/devices', 'https://app.telltale.example/settings/devices'],
    ['https://app.telltale.example', 'https://app.telltale.example/'],
    ['https://evil.example/', null],
    ['https://app.telltale.example.evil.example/', null],
    ['https://app.telltale.example@evil.example/', null],
    ['https://user:pw@app.telltale.example/', null],
    ['//evil.example/', null],
    ['/settings', null],
    ['javascript:alert(1)', null],
    ['http://app.telltale.example/', null],
    [['https://app.telltale.example/'], null],
    [undefined, null],
  ];
  for (const [candidate, expected] of table) assert.equal(allowedReturnUrl(candidate, allowed), expected, String(candidate));
});

test('device cookie: read from a Cookie header, set HttpOnly, SameSite=None only with Secure', () => {
  const value = 'a'.repeat(43);
  assert.equal(readDeviceCookie(`x=1; tt_dev=${value}; y=2`), value);
  assert.equal(readDeviceCookie('tt_dev=short'), null);
  assert.equal(readDeviceCookie(undefined), null);
  assert.match(deviceSetCookie(value, true), /^tt_dev=a+; Path=\/; Max-Age=34560000; HttpOnly; Secure; SameSite=None$/);
  assert.match(deviceSetCookie(value, false), /HttpOnly; SameSite=Lax$/);
});
