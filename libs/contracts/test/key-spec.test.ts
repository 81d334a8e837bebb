import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeySpecError, parseKeySpec } from '../src';

const key = (bytes: number, fill = 7): string => Buffer.alloc(bytes, fill).toString('base64');

test('a key ring keeps its order (the first entry is the one in use) and reads url-safe base64 too', () => {
  const entries = parseKeySpec(`new:${key(32, 1)}, old:${Buffer.alloc(32, 2).toString('base64url')}`, { label: 'X', minBytes: 32, maxBytes: 32 });
  assert.deepEqual(entries.map((e) => e.keyId), ['new', 'old']);
  assert.deepEqual(entries[1]!.key, Buffer.alloc(32, 2));
});

test('an AES-256 ring takes keys of exactly 32 bytes, naming the setting and the entry, never the key', () => {
  for (const [spec, message] of [
    [`c1:${key(33)}`, /^CREDENTIALS_ENCRYPTION_KEYS: entry 1 \(kid "c1"\): key must be exactly 32 bytes, got 33$/],
    [`c1:${key(32)},c1:${key(32, 9)}`, /entry 2 \(kid "c1"\): duplicate key id/],
    [`C1:${key(32)}`, /entry 1: key id must be 1-8 characters/],
    ['', /at least one "kid:base64key" entry is required/],
  ] as const) {
    assert.throws(
      () => parseKeySpec(spec, { label: 'CREDENTIALS_ENCRYPTION_KEYS', minBytes: 32, maxBytes: 32 }),
      (error: unknown) => error instanceof KeySpecError && message.test(error.message) && !error.message.includes(key(32)),
    );
  }
});
