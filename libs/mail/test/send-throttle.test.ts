import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MailboxSendThrottle, type MailProvider } from '../src';

const T0 = Date.parse('2026-11-27T10:00:00Z');

describe('MailboxSendThrottle', () => {
  const cases: { name: string; provider: MailProvider; sends: number[]; at: number; ok: boolean; retryAfterMs?: number }[] = [
    { name: 'Gmail: third send in one second waits for the first to leave the window', provider: 'gmail', sends: [0, 100], at: 200, ok: false, retryAfterMs: 800 },
    { name: 'Gmail: two per second pass', provider: 'gmail', sends: [0], at: 500, ok: true },
    { name: 'Gmail: a second later there is room again', provider: 'gmail', sends: [0, 100], at: 1_001, ok: true },
    { name: 'Graph: 31st message in a minute waits', provider: 'graph', sends: Array.from({ length: 30 }, (_, i) => i * 1_000), at: 30_000, ok: false, retryAfterMs: 30_000 },
    { name: 'Graph: the 31st after a minute goes', provider: 'graph', sends: Array.from({ length: 30 }, (_, i) => i * 1_000), at: 60_001, ok: true },
    { name: 'SMTP: no local limit (the server says 4xx when it wants)', provider: 'smtp', sends: Array.from({ length: 100 }, () => 0), at: 0, ok: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const throttle = new MailboxSendThrottle();
      for (const at of c.sends) assert.equal(throttle.tryAcquire('m1', c.provider, new Date(T0 + at)).ok, true);
      const decision = throttle.tryAcquire('m1', c.provider, new Date(T0 + c.at));
      assert.equal(decision.ok, c.ok);
      if (!decision.ok) assert.equal(decision.retryAfterMs, c.retryAfterMs);
    });
  }

  it('Graph daily cap: the 10 001st message of a day waits until the first leaves the 24 h window', () => {
    const throttle = new MailboxSendThrottle();
    for (let i = 0; i < 10_000; i += 1) assert.equal(throttle.tryAcquire('m', 'graph', new Date(T0 + i * 2_001)).ok, true);
    const at = T0 + 10_000 * 2_001;
    const decision = throttle.tryAcquire('m', 'graph', new Date(at));
    assert.equal(decision.ok, false);
    if (!decision.ok) assert.match(decision.reason, /10 000 messages per day/);
  });

  it('a provider Retry-After pauses only that mailbox', () => {
    const throttle = new MailboxSendThrottle();
    throttle.pause('a', new Date(T0), 30_000);
    const a = throttle.tryAcquire('a', 'gmail', new Date(T0 + 10_000));
    assert.deepEqual(a, { ok: false, retryAfterMs: 20_000, reason: 'the provider asked us to wait (Retry-After)' });
    assert.equal(throttle.tryAcquire('b', 'gmail', new Date(T0 + 10_000)).ok, true);
    assert.equal(throttle.tryAcquire('a', 'gmail', new Date(T0 + 30_000)).ok, true);
  });
});
