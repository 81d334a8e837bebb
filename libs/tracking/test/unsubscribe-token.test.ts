import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { parseSigningKeys } from '../src/signing-key-ring';
import { signTrackingToken } from '../src/tracking-token';
import { buildUnsubscribeUrl, MAX_UNSUBSCRIBE_TOKEN_CHARS, signUnsubscribeToken, verifyUnsubscribeToken, type UnsubscribeClaims } from '../src/unsubscribe-token';

const key = () => randomBytes(32).toString('base64');
const ring = parseSigningKeys(`k1:${key()}`);
const claims: UnsubscribeClaims = {
  orgId: '0b5d7d8e-3f51-4d5c-9a3c-1f2e3d4c5b6a',
  enrollmentId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  address: 'Jo.Prospect@Example.COM',
  issuedAt: new Date('2026-12-08T01:00:00Z'),
};

describe('unsubscribe token', () => {
  it('round-trips org, enrollment and the lower-cased address', () => {
    const token = signUnsubscribeToken(claims, ring);
    assert.match(token, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(verifyUnsubscribeToken(token, ring), { ok: true, claims: { ...claims, address: 'jo.prospect@example.com' } });
  });

  it('verifies under an older key kept in the ring after rotation, and not once it is dropped', () => {
    const oldSpec = `old:${key()}`;
    const token = signUnsubscribeToken(claims, parseSigningKeys(oldSpec));
    const newSpec = `new:${key()}`;
    assert.equal(verifyUnsubscribeToken(token, parseSigningKeys(`${newSpec},${oldSpec}`)).ok, true);
    assert.deepEqual(verifyUnsubscribeToken(token, parseSigningKeys(newSpec)), { ok: false, reason: 'unknown_key' });
  });

  it('refuses every altered byte', () => {
    const bytes = Buffer.from(signUnsubscribeToken(claims, ring), 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      const altered = Buffer.from(bytes);
      altered[i] = altered[i]! ^ 0x01;
      const result = verifyUnsubscribeToken(altered.toString('base64url'), ring);
      assert.equal(result.ok, false, `byte ${i}`);
    }
  });

  it('is not a tracking token, and a tracking token is not one (separate layouts under the same keys)', () => {
    const open = signTrackingToken({ kind: 'open', orgId: claims.orgId, sentEmailId: claims.enrollmentId, issuedAt: claims.issuedAt }, ring);
    assert.deepEqual(verifyUnsubscribeToken(open, ring), { ok: false, reason: 'malformed' });
  });

  it('refuses junk, non-canonical and oversized tokens without throwing', () => {
    for (const junk of ['', 'abc', '!!!!', 'a'.repeat(MAX_UNSUBSCRIBE_TOKEN_CHARS + 1), `${signUnsubscribeToken(claims, ring)}=`]) {
      assert.equal(verifyUnsubscribeToken(junk, ring).ok, false);
    }
  });

  it('refuses addresses out of bounds and builds the /u/ URL', () => {
    assert.throws(() => signUnsubscribeToken({ ...claims, address: 'a@' }, ring), RangeError);
    assert.throws(() => signUnsubscribeToken({ ...claims, address: `${'a'.repeat(320)}@x.test` }, ring), RangeError);
    const longest = signUnsubscribeToken({ ...claims, address: `${'a'.repeat(311)}@x.test` }, parseSigningKeys(`abcdefgh:${key()}`));
    assert.ok(longest.length <= MAX_UNSUBSCRIBE_TOKEN_CHARS);
    assert.equal(verifyUnsubscribeToken(longest, ring).ok, false);
    assert.equal(buildUnsubscribeUrl('https://t.example.com/', 'abc_-'), 'https://t.example.com/u/abc_-');
  });
});
