import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { decideProviderErrorAction, MailProviderError, type MailProviderErrorCode, type ProviderErrorAction } from '../src';

const backoff = { minMs: 1_000, maxMs: 60_000 };

describe('decideProviderErrorAction', () => {
  const cases: { code: MailProviderErrorCode; operation: 'sync' | 'send'; attempt: number; retryAfterMs?: number; expected: ProviderErrorAction['action']; delayMs?: number }[] = [
    { code: 'AUTH_REVOKED', operation: 'sync', attempt: 1, expected: 'reconnect' },
    { code: 'AUTH_REVOKED', operation: 'send', attempt: 1, expected: 'reconnect' },
    { code: 'INSUFFICIENT_PERMISSIONS', operation: 'sync', attempt: 1, expected: 'reconnect' },
    { code: 'INSUFFICIENT_PERMISSIONS', operation: 'send', attempt: 3, expected: 'reconnect' },
    { code: 'CURSOR_EXPIRED', operation: 'sync', attempt: 1, expected: 'resync' },
    { code: 'CURSOR_EXPIRED', operation: 'sync', attempt: 9, expected: 'resync' },
    { code: 'CURSOR_EXPIRED', operation: 'send', attempt: 1, expected: 'dead-letter' },
    { code: 'PERMANENT', operation: 'send', attempt: 1, expected: 'dead-letter' },
    { code: 'PERMANENT', operation: 'sync', attempt: 1, expected: 'dead-letter' },
    { code: 'TEMPORARY', operation: 'send', attempt: 1, expected: 'retry', delayMs: 1_000 },
    { code: 'TEMPORARY', operation: 'send', attempt: 3, expected: 'retry', delayMs: 4_000 },
    { code: 'TEMPORARY', operation: 'send', attempt: 8, expected: 'dead-letter' },
    { code: 'TEMPORARY', operation: 'sync', attempt: 50, expected: 'retry', delayMs: 60_000 },
    { code: 'RATE_LIMITED', operation: 'send', attempt: 1, retryAfterMs: 30_000, expected: 'retry', delayMs: 30_000 },
    { code: 'RATE_LIMITED', operation: 'sync', attempt: 1, retryAfterMs: 120_000, expected: 'retry', delayMs: 120_000 },
    { code: 'RATE_LIMITED', operation: 'sync', attempt: 4, retryAfterMs: 10, expected: 'retry', delayMs: 8_000 },
    { code: 'RATE_LIMITED', operation: 'send', attempt: 8, retryAfterMs: 1_000, expected: 'dead-letter' },
  ];
  for (const c of cases) {
    it(`${c.operation} ${c.code} attempt ${c.attempt}${c.retryAfterMs ? ` retry-after ${c.retryAfterMs}` : ''} → ${c.expected}`, () => {
      const error = new MailProviderError('x', { code: c.code, provider: 'gmail', ...(c.retryAfterMs !== undefined ? { retryAfterMs: c.retryAfterMs } : {}) });
      // random() = 1 takes the top of the jitter range, so delays are exact.
      const decision = decideProviderErrorAction(error, { operation: c.operation, attempt: c.attempt, backoff, random: () => 1 });
      assert.equal(decision.action, c.expected);
      if (decision.action === 'retry') assert.equal(decision.delayMs, c.delayMs);
    });
  }
});
