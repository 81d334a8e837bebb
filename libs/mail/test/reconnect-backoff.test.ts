import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { reconnectDelayMs } from '../src';

describe('reconnectDelayMs', () => {
  const backoff = { minMs: 1_000, maxMs: 60_000 };
  const cases: { attempt: number; random: number; retryAfterMs?: number; expected: number }[] = [
    { attempt: 1, random: 0, expected: 1_000 },
    { attempt: 1, random: 1, expected: 1_000 },
    { attempt: 2, random: 1, expected: 2_000 },
    { attempt: 2, random: 0, expected: 1_000 },
    { attempt: 4, random: 0.5, expected: 6_000 },
    { attempt: 7, random: 1, expected: 60_000 },
    { attempt: 50, random: 0, expected: 30_000 },
    { attempt: 1, random: 0, retryAfterMs: 45_000, expected: 45_000 },
    { attempt: 7, random: 1, retryAfterMs: 10, expected: 60_000 },
    { attempt: 0, random: 1, expected: 1_000 },
  ];
  for (const testCase of cases) {
    it(`attempt ${testCase.attempt}, random ${testCase.random}, retryAfter ${String(testCase.retryAfterMs)} → ${testCase.expected}`, () => {
      assert.equal(reconnectDelayMs(testCase.attempt, backoff, () => testCase.random, testCase.retryAfterMs), testCase.expected);
    });
  }
});
