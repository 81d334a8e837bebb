import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_CLICK_URL_BYTES } from '../src/redirect-url-policy';
import { parseSigningKeys, SigningKeyRing } from '../src/signing-key-ring';
import type { ClickClaims, OpenClaims, TrackingClaims } from '../src/tracking-claims';
import { signTrackingToken, verifyTrackingToken, type TrackingTokenRejection } from '../src/tracking-token';
import { encodeSignedPart, isCanonicalBase64Url, MAC_BYTES, MAX_TOKEN_CHARS, MIN_TOKEN_CHARS } from '../src/tracking-token-codec';
import { bytesToUuid, uuidAt } from '../src/uuid-bytes';

const KEY_1 = Buffer.alloc(32, 0x11).toString('base64');
const KEY_2 = Buffer.alloc(32, 0x22).toString('base64');
const KEY_OTHER = Buffer.alloc(32, 0x33).toString('base64');

const ring = parseSigningKeys(`k1:${KEY_1}`);
const ISSUED_AT = new Date('2025-03-01T12:00:00.000Z');
const NOW = new Date('2025-03-02T08:30:00.000Z');
const ORG_ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const EMAIL_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const DAY_MS = 86_400_000;

const openClaims: OpenClaims = { kind: 'open', orgId: ORG_ID, sentEmailId: EMAIL_ID, issuedAt: ISSUED_AT };
const clickClaims: ClickClaims = {
  kind: 'click',
  orgId: ORG_ID,
  sentEmailId: EMAIL_ID,
  linkIndex: 7,
  url: 'https://example.com/pricing?plan=team&utm_source=email#compare',
  issuedAt: ISSUED_AT,
};

/** Counts HMAC computations, to prove junk is rejected before any crypto. */
class CountingKeyRing extends SigningKeyRing {
  macCalls = 0;
  override hmacSha256(keyId: string, data: Uint8Array): Buffer | null {
    this.macCalls++;
    return super.hmacSha256(keyId, data);
  }
}

/** Hand-made token: the real layout and MAC, but claims the signer would refuse. */
function forgeWithKey(keys: SigningKeyRing, claims: TrackingClaims, mutateSignedPart?: (bytes: Buffer) => Buffer): string {
  let signedPart = encodeSignedPart(keys.signingKeyId, claims);
  if (mutateSignedPart !== undefined) signedPart = mutateSignedPart(signedPart);
  const mac = keys.hmacSha256(keys.signingKeyId, signedPart);
  assert.ok(mac !== null);
  return Buffer.concat([signedPart, mac.subarray(0, MAC_BYTES)]).toString('base64url');
}

describe('signTrackingToken / verifyTrackingToken round trips', () => {
  const cases: { name: string; claims: TrackingClaims; expected: TrackingClaims }[] = [
    { name: 'open', claims: openClaims, expected: openClaims },
    { name: 'click', claims: clickClaims, expected: clickClaims },
    {
      name: 'upper-case UUIDs come back lower-case',
      claims: { ...openClaims, orgId: ORG_ID.toUpperCase(), sentEmailId: EMAIL_ID.toUpperCase() },
      expected: openClaims,
    },
    {
      name: 'issuedAt is kept to the second',
      claims: { ...openClaims, issuedAt: new Date(ISSUED_AT.getTime() + 999) },
      expected: openClaims,
    },
    { name: 'first link', claims: { ...clickClaims, linkIndex: 0 }, expected: { ...clickClaims, linkIndex: 0 } },
    { name: 'last possible link', claims: { ...clickClaims, linkIndex: 65535 }, expected: { ...clickClaims, linkIndex: 65535 } },
    {
      name: 'non-ASCII URL kept verbatim',
      claims: { ...clickClaims, url: 'https://bücher.example/straße?q=ü&x=日本' },
      expected: { ...clickClaims, url: 'https://bücher.example/straße?q=ü&x=日本' },
    },
    {
      name: 'URL of the maximum length',
      claims: { ...clickClaims, url: `https://example.com/${'x'.repeat(MAX_CLICK_URL_BYTES - 20)}` },
      expected: { ...clickClaims, url: `https://example.com/${'x'.repeat(MAX_CLICK_URL_BYTES - 20)}` },
    },
    {
      name: 'nil UUIDs',
      claims: { ...openClaims, orgId: '00000000-0000-0000-0000-000000000000', sentEmailId: 'ffffffff-ffff-ffff-ffff-ffffffffffff' },
      expected: { ...openClaims, orgId: '00000000-0000-0000-0000-000000000000', sentEmailId: 'ffffffff-ffff-ffff-ffff-ffffffffffff' },
    },
  ];
  for (const { name, claims, expected } of cases) {
    it(name, () => {
      const token = signTrackingToken(claims, ring);
      assert.match(token, /^[A-Za-z0-9_-]+$/);
      assert.ok(token.length >= MIN_TOKEN_CHARS && token.length <= MAX_TOKEN_CHARS);
      assert.deepEqual(verifyTrackingToken(token, ring, { now: NOW }), { ok: true, claims: expected });
    });
  }

  it('keeps open tokens compact (76 characters with a two-character kid)', () => {
    assert.equal(signTrackingToken(openClaims, ring).length, 76);
  });

  it('gives different tokens for different emails, links and kinds', () => {
    const tokens = new Set([
      signTrackingToken(openClaims, ring),
      signTrackingToken({ ...openClaims, sentEmailId: '7c9e6679-7425-40de-944b-e07fc1f90ae8' }, ring),
      signTrackingToken(clickClaims, ring),
      signTrackingToken({ ...clickClaims, linkIndex: 8 }, ring),
    ]);
    assert.equal(tokens.size, 4);
  });
});

describe('verifyTrackingToken rejects tampering', () => {
  const tokens: { name: string; token: string }[] = [
    { name: 'open', token: signTrackingToken(openClaims, ring) },
    { name: 'click', token: signTrackingToken(clickClaims, ring) },
  ];
  const base64UrlAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

  for (const { name, token } of tokens) {
    it(`${name}: every single-character substitution fails`, () => {
      for (let position = 0; position < token.length; position++) {
        for (const shift of [1, 17, 32, 63]) {
          const original = base64UrlAlphabet.indexOf(token.charAt(position));
          const replacement = base64UrlAlphabet.charAt((original + shift) % 64);
          const tampered = token.slice(0, position) + replacement + token.slice(position + 1);
          const result = verifyTrackingToken(tampered, ring, { now: NOW });
          assert.equal(result.ok, false, `position ${position} shift ${shift} verified`);
        }
      }
    });

    it(`${name}: flipping bits in any claim or MAC byte is a bad signature`, () => {
      const bytes = Buffer.from(token, 'base64url');
      const claimsStart = 2 + 'k1'.length + 1; // version, kid length, kid, kind
      for (let index = 0; index < bytes.length; index++) {
        for (const mask of [0x01, 0x80, 0xff]) {
          const tampered = Buffer.from(bytes);
          tampered[index] = (tampered[index] ?? 0) ^ mask;
          const result = verifyTrackingToken(tampered.toString('base64url'), ring, { now: NOW });
          assert.equal(result.ok, false, `byte ${index} mask ${mask} verified`);
          if (result.ok) continue;
          const allowed: TrackingTokenRejection[] = index < claimsStart ? ['malformed', 'unknown_key'] : ['bad_signature'];
          assert.ok(allowed.includes(result.reason), `byte ${index} mask ${mask}: ${result.reason}`);
        }
      }
    });

    it(`${name}: truncated or extended tokens fail`, () => {
      for (const variant of [token.slice(0, -1), token.slice(0, -4), token.slice(1), `${token}A`, `${token}AAAA`, `A${token}`]) {
        assert.equal(verifyTrackingToken(variant, ring, { now: NOW }).ok, false);
      }
    });
  }

  it('an open token re-labelled as a click (and the reverse) is rejected', () => {
    const open = Buffer.from(signTrackingToken(openClaims, ring), 'base64url');
    open[4] = 2;
    assert.equal(verifyTrackingToken(open.toString('base64url'), ring, { now: NOW }).ok, false);
    const click = Buffer.from(signTrackingToken(clickClaims, ring), 'base64url');
    click[4] = 1;
    assert.deepEqual(verifyTrackingToken(click.toString('base64url'), ring, { now: NOW }), { ok: false, reason: 'malformed' });
  });
});

describe('verifyTrackingToken keys and rotation', () => {
  it('a token signed with another key under the same kid is a bad signature', () => {
    const attacker = parseSigningKeys(`k1:${KEY_OTHER}`);
    const token = signTrackingToken(clickClaims, attacker);
    assert.deepEqual(verifyTrackingToken(token, ring, { now: NOW }), { ok: false, reason: 'bad_signature' });
  });

  it('an unknown kid is reported as such', () => {
    const token = signTrackingToken(openClaims, parseSigningKeys(`k9:${KEY_1}`));
    assert.deepEqual(verifyTrackingToken(token, ring, { now: NOW }), { ok: false, reason: 'unknown_key' });
  });

  it('rotation: the new kid signs, tokens under the old kid keep verifying, retired kids stop', () => {
    const before = parseSigningKeys(`k1:${KEY_1}`);
    const during = parseSigningKeys(`k2:${KEY_2},k1:${KEY_1}`);
    const after = parseSigningKeys(`k2:${KEY_2}`);
    const oldToken = signTrackingToken(clickClaims, before);
    const newToken = signTrackingToken(clickClaims, during);

    assert.notEqual(newToken, oldToken);
    assert.equal(Buffer.from(newToken, 'base64url').toString('latin1', 2, 4), 'k2');
    assert.deepEqual(verifyTrackingToken(oldToken, during, { now: NOW }), { ok: true, claims: clickClaims });
    assert.deepEqual(verifyTrackingToken(newToken, during, { now: NOW }), { ok: true, claims: clickClaims });
    assert.deepEqual(verifyTrackingToken(newToken, after, { now: NOW }), { ok: true, claims: clickClaims });
    assert.deepEqual(verifyTrackingToken(newToken, before, { now: NOW }), { ok: false, reason: 'unknown_key' });
    assert.deepEqual(verifyTrackingToken(oldToken, after, { now: NOW }), { ok: false, reason: 'unknown_key' });
  });
});

describe('verifyTrackingToken expiry', () => {
  const token = signTrackingToken(openClaims, ring);
  const cases: { name: string; now: Date; maxAgeDays?: number; ok: boolean }[] = [
    { name: 'just issued', now: ISSUED_AT, ok: true },
    { name: 'issued in the future (clock skew)', now: new Date(ISSUED_AT.getTime() - 60_000), ok: true },
    { name: 'exactly 730 days old', now: new Date(ISSUED_AT.getTime() + 730 * DAY_MS), ok: true },
    { name: '730 days and a second old', now: new Date(ISSUED_AT.getTime() + 730 * DAY_MS + 1000), ok: false },
    { name: 'custom max age, inside', now: new Date(ISSUED_AT.getTime() + DAY_MS), maxAgeDays: 1, ok: true },
    { name: 'custom max age, outside', now: new Date(ISSUED_AT.getTime() + DAY_MS + 1), maxAgeDays: 1, ok: false },
  ];
  for (const { name, now, maxAgeDays, ok } of cases) {
    it(name, () => {
      const result = verifyTrackingToken(token, ring, maxAgeDays === undefined ? { now } : { now, maxAgeDays });
      assert.deepEqual(result, ok ? { ok: true, claims: openClaims } : { ok: false, reason: 'expired' });
    });
  }

  it('uses the current time by default', () => {
    const fresh = signTrackingToken({ ...openClaims, issuedAt: new Date() }, ring);
    assert.equal(verifyTrackingToken(fresh, ring).ok, true);
    assert.deepEqual(verifyTrackingToken(token, ring, { maxAgeDays: 1 }), { ok: false, reason: 'expired' });
  });

  it('refuses nonsensical options', () => {
    assert.throws(() => verifyTrackingToken(token, ring, { maxAgeDays: 0 }), RangeError);
    assert.throws(() => verifyTrackingToken(token, ring, { maxAgeDays: Number.NaN }), RangeError);
    assert.throws(() => verifyTrackingToken(token, ring, { now: new Date(Number.NaN) }), RangeError);
  });
});

describe('verifyTrackingToken rejects garbage cheaply', () => {
  const valid = signTrackingToken(openClaims, parseSigningKeys(`k:${KEY_1}`));
  const lastCharacter = valid.charAt(valid.length - 1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  // A 56-byte token ends in a character with two unused bits; setting one is a second spelling.
  const nonCanonical = valid.slice(0, -1) + alphabet.charAt(alphabet.indexOf(lastCharacter) | 1);

  const garbage: { name: string; token: unknown; reason: TrackingTokenRejection }[] = [
    { name: 'empty string', token: '', reason: 'malformed' },
    { name: 'one character', token: 'a', reason: 'malformed' },
    { name: 'the word null', token: 'null', reason: 'malformed' },
    { name: 'not a string', token: null, reason: 'malformed' },
    { name: 'a number', token: 12345, reason: 'malformed' },
    { name: 'path traversal', token: '../../../../etc/passwd'.padEnd(80, '/'), reason: 'malformed' },
    { name: 'standard base64 alphabet', token: `${valid.slice(0, 10)}+/${valid.slice(12)}`, reason: 'malformed' },
    { name: 'padding', token: `${valid}=`, reason: 'malformed' },
    { name: 'whitespace', token: ` ${valid}`, reason: 'malformed' },
    { name: 'percent-encoding', token: `${valid.slice(0, -3)}%41`, reason: 'malformed' },
    { name: 'non-ASCII', token: `${valid.slice(0, -1)}é`, reason: 'malformed' },
    { name: 'all zero bytes', token: 'A'.repeat(MIN_TOKEN_CHARS + 1), reason: 'malformed' },
    { name: 'version 2', token: Buffer.concat([Buffer.from([2]), Buffer.from(valid, 'base64url').subarray(1)]).toString('base64url'), reason: 'malformed' },
    { name: 'non-canonical base64url', token: nonCanonical, reason: 'malformed' },
    { name: 'one character too short', token: valid.slice(0, MIN_TOKEN_CHARS - 1), reason: 'malformed' },
    { name: 'one character too long', token: 'A'.repeat(MAX_TOKEN_CHARS + 1), reason: 'malformed' },
    { name: 'a megabyte', token: 'A'.repeat(1_000_000), reason: 'malformed' },
    { name: 'a megabyte of junk characters', token: '\u0000'.repeat(1_000_000), reason: 'malformed' },
    { name: 'valid layout, unknown kid', token: signTrackingToken(openClaims, parseSigningKeys(`zz:${KEY_1}`)), reason: 'unknown_key' },
  ];
  for (const { name, token, reason } of garbage) {
    it(`${name} → ${reason}, with no HMAC computed`, () => {
      const counting = new CountingKeyRing([{ keyId: 'k', key: Buffer.from(KEY_1, 'base64') }]);
      assert.deepEqual(verifyTrackingToken(token as string, counting, { now: NOW }), { ok: false, reason });
      assert.equal(counting.macCalls, 0);
    });
  }

  it('the canonical spelling of the same token verifies', () => {
    const counting = new CountingKeyRing([{ keyId: 'k', key: Buffer.from(KEY_1, 'base64') }]);
    assert.equal(verifyTrackingToken(valid, counting, { now: NOW }).ok, true);
    assert.equal(counting.macCalls, 1);
  });

  it('random bytes of plausible length never verify', () => {
    let seed = 0x2545f491;
    const nextByte = (): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return seed & 0xff;
    };
    for (let attempt = 0; attempt < 2000; attempt++) {
      const bytes = Buffer.from(Array.from({ length: 57 + (attempt % 200) }, nextByte));
      if (attempt % 2 === 0) bytes.set([1, 2, 0x6b, 0x31], 0); // plausible header: version 1, kid "k1"
      assert.equal(verifyTrackingToken(bytes.toString('base64url'), ring, { now: NOW }).ok, false);
    }
  });
});

describe('click URL policy', () => {
  const unsafe = [
    'javascript:alert(document.cookie)',
    'data:text/html;base64,PHNjcmlwdD4=',
    '//evil.example/login',
    'https://user:secret@example.com/',
    'https://example.com/\r\nSet-Cookie: a=b',
    'ftp://example.com/file',
    '/relative',
    '',
  ];
  for (const url of unsafe) {
    it(`signing refuses ${JSON.stringify(url)}`, () => {
      assert.throws(() => signTrackingToken({ ...clickClaims, url }, ring), TypeError);
    });
    it(`a correctly MAC'd token carrying ${JSON.stringify(url)} verifies as unsafe_url`, () => {
      if (url === '') return; // the layout itself has no room for an empty URL
      const token = forgeWithKey(ring, { ...clickClaims, url });
      assert.deepEqual(verifyTrackingToken(token, ring, { now: NOW }), { ok: false, reason: 'unsafe_url' });
    });
  }

  it('a correctly MAC\'d token whose URL is not UTF-8 is malformed', () => {
    const token = forgeWithKey(ring, clickClaims, (bytes) => Buffer.concat([bytes, Buffer.from([0xc3])]));
    assert.deepEqual(verifyTrackingToken(token, ring, { now: NOW }), { ok: false, reason: 'malformed' });
  });

  it('refuses a URL longer than the maximum', () => {
    assert.throws(
      () => signTrackingToken({ ...clickClaims, url: `https://example.com/${'x'.repeat(MAX_CLICK_URL_BYTES)}` }, ring),
      /redirect policy: too_long/,
    );
  });

  it('error messages do not echo the URL', () => {
    assert.throws(
      () => signTrackingToken({ ...clickClaims, url: 'https://user:hunter2@example.com/' }, ring),
      (error: unknown) => error instanceof Error && !error.message.includes('hunter2'),
    );
  });
});

describe('signTrackingToken refuses bad claims', () => {
  const cases: { name: string; claims: unknown; error: RegExp }[] = [
    { name: 'org id not a UUID', claims: { ...openClaims, orgId: 'org-1' }, error: /UUID/ },
    { name: 'email id with braces', claims: { ...openClaims, sentEmailId: `{${EMAIL_ID}}` }, error: /UUID/ },
    { name: 'email id without hyphens', claims: { ...openClaims, sentEmailId: EMAIL_ID.replace(/-/g, '') }, error: /UUID/ },
    { name: 'invalid date', claims: { ...openClaims, issuedAt: new Date(Number.NaN) }, error: /issuedAt/ },
    { name: 'date before 1970', claims: { ...openClaims, issuedAt: new Date('1969-12-31T23:59:59Z') }, error: /issuedAt/ },
    { name: 'date after 2106', claims: { ...openClaims, issuedAt: new Date('2106-02-08T00:00:00Z') }, error: /issuedAt/ },
    { name: 'date as string', claims: { ...openClaims, issuedAt: '2025-01-01' }, error: /issuedAt/ },
    { name: 'negative link index', claims: { ...clickClaims, linkIndex: -1 }, error: /linkIndex/ },
    { name: 'fractional link index', claims: { ...clickClaims, linkIndex: 1.5 }, error: /linkIndex/ },
    { name: 'link index above uint16', claims: { ...clickClaims, linkIndex: 65536 }, error: /linkIndex/ },
    { name: 'unknown kind', claims: { ...openClaims, kind: 'bounce' }, error: /unexpected tracking claims kind/ },
  ];
  for (const { name, claims, error } of cases) {
    it(name, () => {
      assert.throws(() => signTrackingToken(claims as TrackingClaims, ring), error);
    });
  }
});

describe('the verifier\'s allocation-free checks agree with their definitions', () => {
  // Deterministic pseudo-random strings: a fixed seed, so a failure names a reproducible case.
  let seed = 0x2545f491;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % n;
  };
  it('isCanonicalBase64Url: only base64url characters, and the string is what its bytes encode to', () => {
    const characters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=.~é ';
    for (let i = 0; i < 20_000; i++) {
      const text = Array.from({ length: next(14) }, () => characters.charAt(next(i % 2 ? 64 : characters.length))).join('');
      const expected = /^[A-Za-z0-9_-]*$/.test(text) && Buffer.from(text, 'base64url').toString('base64url') === text;
      assert.equal(isCanonicalBase64Url(text), expected, JSON.stringify(text));
    }
  });
  it('uuidAt reads the UUID at an offset, as bytesToUuid spells it', () => {
    for (let i = 0; i < 2_000; i++) {
      const bytes = Buffer.from(Array.from({ length: 40 }, () => next(256)));
      const offset = next(25);
      const uuid = uuidAt(bytes, offset);
      assert.equal(uuid, bytesToUuid(bytes.subarray(offset, offset + 16)));
      assert.equal(uuid, `${bytes.toString('hex', offset, offset + 4)}-${bytes.toString('hex', offset + 4, offset + 6)}-${bytes.toString('hex', offset + 6, offset + 8)}-${bytes.toString('hex', offset + 8, offset + 10)}-${bytes.toString('hex', offset + 10, offset + 16)}`);
    }
  });
});
