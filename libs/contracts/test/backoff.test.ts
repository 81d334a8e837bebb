import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelayMs } from '../src';

describe('backoffDelayMs', () => {
  it('doubles from initialMs per attempt and stops at maxMs', () => {
    const backoff = { initialMs: 200, maxMs: 5_000 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 100].map((attempt) => backoffDelayMs(attempt, backoff)),
      [200, 400, 800, 1_600, 3_200, 5_000, 5_000],
    );
  });

  it('takes attempt 0 or below as the first attempt', () => {
    assert.equal(backoffDelayMs(0, { initialMs: 500, maxMs: 10_000 }), 500);
    assert.equal(backoffDelayMs(-3, { initialMs: 500, maxMs: 10_000 }), 500);
  });

  it('with equal jitter, waits between half the exponential wait and all of it, never below initialMs', () => {
    const backoff = { initialMs: 1_000, maxMs: 60_000, jitter: 'equal' as const };
    assert.equal(backoffDelayMs(4, backoff, () => 0), 4_000);
    assert.equal(backoffDelayMs(4, backoff, () => 1), 8_000);
    assert.equal(backoffDelayMs(4, backoff, () => 0.5), 6_000);
    assert.equal(backoffDelayMs(1, backoff, () => 0), 1_000, 'never below initialMs');
    assert.equal(backoffDelayMs(50, backoff, () => 0), 30_000);
    assert.equal(backoffDelayMs(2, backoff, () => 7), 2_000, 'a random number out of [0, 1] is clamped');
  });
});
