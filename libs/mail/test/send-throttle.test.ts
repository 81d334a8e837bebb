import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DEFAULT_SEND_LIMITS, MailboxSendThrottle, RETRY_AFTER_REASON, decideSend, type MailProvider } from '../src';

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

describe('decideSend (the decision every throttle store shares)', () => {
  const at = (ms: number) => new Date(T0 + ms);

  it('counts sends recorded out of order (replicas whose clocks interleave) like sorted ones', () => {
    const sends = [T0 + 100, T0 + 0];
    const { decision } = decideSend({ sends, pausedUntil: null }, DEFAULT_SEND_LIMITS.gmail, at(200));
    assert.deepEqual(decision, { ok: false, retryAfterMs: 800, reason: 'Gmail API: 2 sends per second' });
  });

  it('keeps only what still counts: younger than the longest window, at most the largest max', () => {
    const windows = [
      { windowMs: 1_000, max: 2, label: 'per second' },
      { windowMs: 10_000, max: 3, label: 'per ten seconds' },
    ];
    const sends = [T0 - 20_000, T0 - 9_000, T0 - 5_000, T0 - 4_000];
    const { decision, sends: kept } = decideSend({ sends, pausedUntil: null }, windows, at(0));
    assert.deepEqual(decision, { ok: false, retryAfterMs: 1_000, reason: 'per ten seconds' });
    assert.deepEqual(kept, [T0 - 9_000, T0 - 5_000, T0 - 4_000]);
    const later = decideSend({ sends: kept, pausedUntil: null }, windows, at(1_000));
    assert.deepEqual(later.decision, { ok: true });
    assert.deepEqual(later.sends, [T0 - 5_000, T0 - 4_000, T0 + 1_000]);
  });

  it('names the limit that frees last when several are full', () => {
    const sends = Array.from({ length: 2_000 }, (_, i) => T0 + i * 500);
    const now = T0 + 2_000 * 500 - 250;
    const { decision } = decideSend({ sends, pausedUntil: null }, DEFAULT_SEND_LIMITS.gmail, new Date(now));
    assert.deepEqual(decision, { ok: false, retryAfterMs: T0 + 86_400_000 - now, reason: 'Gmail: 2 000 messages per day' });
  });

  it('a pause wins over free slots, and a provider without limits keeps no log', () => {
    assert.deepEqual(decideSend({ sends: [], pausedUntil: T0 + 5_000 }, DEFAULT_SEND_LIMITS.smtp, at(1_000)).decision, {
      ok: false,
      retryAfterMs: 4_000,
      reason: RETRY_AFTER_REASON,
    });
    assert.deepEqual(decideSend({ sends: [], pausedUntil: T0 + 5_000 }, DEFAULT_SEND_LIMITS.smtp, at(5_000)), { decision: { ok: true }, sends: [] });
  });
});
