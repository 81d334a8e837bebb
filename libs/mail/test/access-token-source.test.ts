import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MailProviderError, RefreshingAccessTokenSource } from '../src';

describe('RefreshingAccessTokenSource', () => {
  it('refreshes once for many concurrent callers, then serves the cached token until just before expiry', async () => {
    let now = new Date('2026-11-27T10:00:00Z');
    let refreshes = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const source = new RefreshingAccessTokenSource({
      now: () => now,
      skewMs: 60_000,
      refresh: async () => {
        refreshes += 1;
        await gate;
        return { accessToken: `t${refreshes}`, expiresAt: new Date(now.getTime() + 3_600_000) };
      },
    });
    const pending = Array.from({ length: 10 }, () => source.accessToken());
    release();
    assert.deepEqual(new Set(await Promise.all(pending)), new Set(['t1']));
    assert.equal(refreshes, 1);
    now = new Date(now.getTime() + 3_600_000 - 61_000);
    assert.equal(await source.accessToken(), 't1');
    now = new Date(now.getTime() + 2_000);
    assert.equal(await source.accessToken(), 't2');
    assert.equal(refreshes, 2);
  });

  it('passes a revoked grant through and tries again on the next call', async () => {
    let fail = true;
    const source = new RefreshingAccessTokenSource({
      now: () => new Date(),
      refresh: async () => {
        if (fail) throw new MailProviderError('revoked', { code: 'AUTH_REVOKED', provider: 'gmail' });
        return { accessToken: 'ok', expiresAt: new Date(Date.now() + 3_600_000) };
      },
    });
    await assert.rejects(source.accessToken(), (e: unknown) => e instanceof MailProviderError && e.code === 'AUTH_REVOKED');
    fail = false;
    assert.equal(await source.accessToken(), 'ok');
  });
});
