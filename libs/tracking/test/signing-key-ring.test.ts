import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import {
  generateSigningKeySpec,
  parseSigningKeys,
  SigningKeyRing,
  SigningKeySpecError,
} from '../src/signing-key-ring';

const KEY_A = Buffer.alloc(32, 0xa1).toString('base64');
const KEY_B = Buffer.alloc(48, 0xb2).toString('base64');
const SHORT_KEY = Buffer.alloc(31, 0xc3).toString('base64');

describe('parseSigningKeys', () => {
  const valid: { name: string; spec: string; signingKeyId: string; keyIds: string[] }[] = [
    { name: 'one key', spec: `k1:${KEY_A}`, signingKeyId: 'k1', keyIds: ['k1'] },
    { name: 'first of two signs', spec: `k2:${KEY_B},k1:${KEY_A}`, signingKeyId: 'k2', keyIds: ['k2', 'k1'] },
    { name: 'whitespace around entries', spec: `  k2 : ${KEY_B} ,\n k1:${KEY_A}\n`, signingKeyId: 'k2', keyIds: ['k2', 'k1'] },
    { name: 'url-safe base64 without padding', spec: `a:${Buffer.alloc(32, 0xfb).toString('base64url')}`, signingKeyId: 'a', keyIds: ['a'] },
    { name: 'eight-character kid', spec: `2025q1ab:${KEY_A}`, signingKeyId: '2025q1ab', keyIds: ['2025q1ab'] },
  ];
  for (const testCase of valid) {
    it(`accepts ${testCase.name}`, () => {
      const ring = parseSigningKeys(testCase.spec);
      assert.equal(ring.signingKeyId, testCase.signingKeyId);
      assert.deepEqual(ring.keyIds, testCase.keyIds);
    });
  }

  it('decodes url-safe and standard base64 to the same key', () => {
    const bytes = Buffer.alloc(32, 0xfb);
    const standard = parseSigningKeys(`k:${bytes.toString('base64')}`);
    const urlSafe = parseSigningKeys(`k:${bytes.toString('base64url')}`);
    assert.deepEqual(standard.hmacSha256('k', Buffer.from('x')), urlSafe.hmacSha256('k', Buffer.from('x')));
  });

  const invalid: { name: string; spec: string; message: RegExp; entry: number | null }[] = [
    { name: 'empty spec', spec: '', message: /at least one "kid:base64key" entry/, entry: null },
    { name: 'blank spec', spec: '  \n', message: /at least one "kid:base64key" entry/, entry: null },
    { name: 'entry without colon', spec: KEY_A, message: /entry 1: expected "kid:base64key"/, entry: 1 },
    { name: 'empty kid', spec: `:${KEY_A}`, message: /entry 1: key id must be 1-8 characters/, entry: 1 },
    { name: 'upper-case kid', spec: `K1:${KEY_A}`, message: /entry 1: key id must be 1-8 characters/, entry: 1 },
    { name: 'nine-character kid', spec: `abcdefghi:${KEY_A}`, message: /entry 1: key id must be 1-8/, entry: 1 },
    { name: 'kid with punctuation', spec: `k1:${KEY_A},k-2:${KEY_B}`, message: /entry 2: key id must be 1-8/, entry: 2 },
    { name: 'short key', spec: `k1:${KEY_A},old:${SHORT_KEY}`, message: /entry 2 \(kid "old"\): key must be at least 32 bytes, got 31/, entry: 2 },
    { name: 'non-base64 key', spec: `k1:not base64!`, message: /entry 1 \(kid "k1"\): key is not valid base64/, entry: 1 },
    { name: 'impossible base64 length', spec: `k1:${KEY_A}A`, message: /entry 1 \(kid "k1"\): key is not valid base64/, entry: 1 },
    { name: 'empty key', spec: 'k1:', message: /entry 1 \(kid "k1"\): key is not valid base64/, entry: 1 },
    { name: 'duplicate kid', spec: `k1:${KEY_A},k1:${KEY_B}`, message: /entry 2 \(kid "k1"\): duplicate key id/, entry: 2 },
    { name: 'trailing comma', spec: `k1:${KEY_A},`, message: /entry 2: expected "kid:base64key"/, entry: 2 },
  ];
  for (const testCase of invalid) {
    it(`rejects ${testCase.name} without echoing key material`, () => {
      assert.throws(
        () => parseSigningKeys(testCase.spec),
        (error: unknown) => {
          assert.ok(error instanceof SigningKeySpecError);
          assert.match(error.message, testCase.message);
          assert.equal(error.entry, testCase.entry);
          for (const secret of [KEY_A, KEY_B, SHORT_KEY, 'not base64']) assert.ok(!error.message.includes(secret));
          return true;
        },
      );
    });
  }
});

describe('SigningKeyRing', () => {
  it('never prints key bytes through inspect or JSON', () => {
    const ring = parseSigningKeys(`k2:${KEY_B},k1:${KEY_A}`);
    const printed = [inspect(ring, { showHidden: true, depth: 10 }), JSON.stringify(ring), String(ring)];
    for (const text of printed) {
      for (const secret of [KEY_A, KEY_B, Buffer.from(KEY_A, 'base64').toString('hex')]) assert.ok(!text.includes(secret));
    }
    assert.equal(JSON.stringify(ring), '{"signingKeyId":"k2","keyIds":["k2","k1"]}');
  });

  it('computes HMAC-SHA256 (RFC 4231 §4.7, test case 6) and answers null for unknown kids', () => {
    const ring = new SigningKeyRing([{ keyId: 'k', key: Buffer.alloc(131, 0xaa) }]);
    const mac = ring.hmacSha256('k', Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First'));
    assert.equal(mac?.toString('hex'), '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54');
    assert.equal(ring.hmacSha256('other', Buffer.from('data')), null);
    assert.equal(ring.hasKey('k'), true);
    assert.equal(ring.hasKey('other'), false);
  });

  it('copies key bytes so later mutation of the caller buffer has no effect', () => {
    const key = Buffer.alloc(32, 0x01);
    const ring = new SigningKeyRing([{ keyId: 'k', key }]);
    const before = ring.hmacSha256('k', Buffer.from('data'));
    key.fill(0x02);
    assert.deepEqual(ring.hmacSha256('k', Buffer.from('data')), before);
  });

  it('refuses an empty ring', () => {
    assert.throws(() => new SigningKeyRing([]), SigningKeySpecError);
  });
});

describe('generateSigningKeySpec', () => {
  it('builds kid:base64 from 32 random bytes that parses back', () => {
    const spec = generateSigningKeySpec('dev', (size) => Buffer.alloc(size, 0x5a));
    assert.equal(spec, `dev:${Buffer.alloc(32, 0x5a).toString('base64')}`);
    assert.equal(parseSigningKeys(spec).signingKeyId, 'dev');
  });

  it('uses fresh randomness by default', () => {
    assert.notEqual(generateSigningKeySpec('a'), generateSigningKeySpec('a'));
  });

  it('rejects an invalid kid', () => {
    assert.throws(() => generateSigningKeySpec('Dev!'), SigningKeySpecError);
  });
});
