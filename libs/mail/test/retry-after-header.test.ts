import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { retryAfterFromHeader } from '../src';

describe('retryAfterFromHeader (RFC 9110 §10.2.3)', () => {
  const now = new Date('2026-11-27T10:00:00Z');
  const cases: [string | undefined, number | undefined][] = [
    ['120', 120_000],
    [' 0 ', 0],
    ['Fri, 27 Nov 2026 10:00:30 GMT', 30_000],
    ['Fri, 27 Nov 2026 09:59:00 GMT', 0],
    ['soon', undefined],
    ['-5', undefined],
    [undefined, undefined],
  ];
  for (const [value, expected] of cases) it(`${String(value)} → ${String(expected)}`, () => assert.equal(retryAfterFromHeader(value, now), expected));
});
