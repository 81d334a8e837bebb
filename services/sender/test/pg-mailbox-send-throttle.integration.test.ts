import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { ManualClock, createServiceDataSource, messagingTablesMigration, runServiceMigrations } from '@telltale/db';
import { RETRY_AFTER_REASON } from '@telltale/mail';
import { createTestDatabase } from '@telltale/testing';
import { PgMailboxSendThrottle, SENDER_MIGRATIONS } from '../src';

const T0 = new Date('2026-11-27T10:00:00Z');
const PER_MINUTE = 'Microsoft 365: 30 messages per minute';
const PER_DAY_GMAIL = 'Gmail: 2 000 messages per day';

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run with \`npm test\` (it starts PostgreSQL)`);
  return value;
}

/**
 * Two sender replicas' throttles on one sender schema (real PostgreSQL): each replica has its own
 * data source (its own connection pool), as separate processes would.
 */
describe('PgMailboxSendThrottle: per-mailbox pacing shared by sender replicas through PostgreSQL', () => {
  let db: { url: string; drop(): Promise<void> };
  const sources = new Map<PgMailboxSendThrottle, DataSource>();

  /** A replica's throttle: a new data source on the test database ("a sender process starting"). */
  async function replica(): Promise<PgMailboxSendThrottle> {
    const dataSource = createServiceDataSource({
      url: db.url,
      schema: 'sender',
      entities: [],
      migrations: [messagingTablesMigration('sender'), ...SENDER_MIGRATIONS],
      applicationName: 'telltale-sender-throttle-test',
    });
    await dataSource.initialize();
    await runServiceMigrations(dataSource, 'sender');
    const throttle = new PgMailboxSendThrottle(dataSource);
    sources.set(throttle, dataSource);
    return throttle;
  }

  /** The replica's process ends: its pool closes, nothing of it stays but the database. */
  async function stop(throttle: PgMailboxSendThrottle): Promise<void> {
    await sources.get(throttle)?.destroy();
    sources.delete(throttle);
  }

  let a: PgMailboxSendThrottle;
  let b: PgMailboxSendThrottle;

  before(async () => {
    db = await createTestDatabase(requiredEnv('DATABASE_URL'));
    a = await replica();
    b = await replica();
  });

  after(async () => {
    for (const s of sources.values()) await s.destroy().catch(() => undefined);
    await db?.drop();
  });

  it('Microsoft 365: of 40 concurrent acquisitions across two replicas within a minute exactly 30 succeed; the rest wait for the first to leave the window', async () => {
    const mailbox = randomUUID();
    const clock = new ManualClock(T0);
    // All at the same instant, so the answer does not depend on which replica locks the row first.
    const decisions = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).tryAcquire(mailbox, 'graph', clock.now())));
    assert.equal(decisions.filter((d) => d.ok).length, 30);
    for (const d of decisions.filter((x) => !x.ok)) assert.deepEqual(d, { ok: false, retryAfterMs: 60_000, reason: PER_MINUTE });

    clock.advance(59_999);
    assert.deepEqual(await a.tryAcquire(mailbox, 'graph', clock.now()), { ok: false, retryAfterMs: 1, reason: PER_MINUTE });
    assert.deepEqual(await b.tryAcquire(mailbox, 'graph', clock.now()), { ok: false, retryAfterMs: 1, reason: PER_MINUTE });
    clock.advance(1);
    assert.deepEqual(await b.tryAcquire(mailbox, 'graph', clock.now()), { ok: true });
  });

  it('Microsoft 365: 30 sends spread over a minute by two replicas; the 31st is refused until the first send is a minute old', async () => {
    const mailbox = randomUUID();
    const clock = new ManualClock(T0);
    for (let i = 0; i < 30; i += 1) {
      assert.deepEqual(await (i % 2 === 0 ? a : b).tryAcquire(mailbox, 'graph', clock.now()), { ok: true }, `send ${i + 1}`);
      clock.advance(1_500);
    }
    // 45 s after the first send: it leaves the window in 15 s.
    assert.deepEqual(await a.tryAcquire(mailbox, 'graph', clock.now()), { ok: false, retryAfterMs: 15_000, reason: PER_MINUTE });
    // Racing for the slot the first send frees: one replica gets it.
    clock.set(new Date(T0.getTime() + 60_000));
    const race = await Promise.all([a.tryAcquire(mailbox, 'graph', clock.now()), b.tryAcquire(mailbox, 'graph', clock.now())]);
    assert.equal(race.filter((d) => d.ok).length, 1);
    assert.deepEqual(race.find((d) => !d.ok), { ok: false, retryAfterMs: 1_500, reason: PER_MINUTE });
  });

  it('a Retry-After recorded by one replica holds back the other, and only for that mailbox', async () => {
    const mailbox = randomUUID();
    const other = randomUUID();
    const clock = new ManualClock(T0);
    assert.deepEqual(await b.tryAcquire(mailbox, 'gmail', clock.now()), { ok: true });
    await a.pause(mailbox, clock.now(), 30_000);
    // A shorter Retry-After seen later does not shorten the pause.
    clock.advance(1_000);
    await b.pause(mailbox, clock.now(), 5_000);
    clock.advance(9_000);
    assert.deepEqual(await b.tryAcquire(mailbox, 'gmail', clock.now()), { ok: false, retryAfterMs: 20_000, reason: RETRY_AFTER_REASON });
    assert.deepEqual(await b.tryAcquire(other, 'gmail', clock.now()), { ok: true });
    // A pause applies to a mailbox with no sends yet, and to providers without local limits.
    const fresh = randomUUID();
    await a.pause(fresh, clock.now(), 2_000);
    assert.deepEqual(await b.tryAcquire(fresh, 'smtp', clock.now()), { ok: false, retryAfterMs: 2_000, reason: RETRY_AFTER_REASON });
    clock.set(new Date(T0.getTime() + 30_000));
    assert.deepEqual(await b.tryAcquire(mailbox, 'gmail', clock.now()), { ok: true });
    assert.deepEqual(await a.tryAcquire(fresh, 'smtp', clock.now()), { ok: true });
  });

  it("Gmail's daily cap survives a restart: a new sender process still refuses the 2 001st send of the day", async () => {
    const mailbox = randomUUID();
    const clock = new ManualClock(T0);
    // Two a second, for 1 000 s: within the per-second limit, all 2 000 go.
    for (let i = 0; i < 2_000; i += 1) {
      const d = await a.tryAcquire(mailbox, 'gmail', clock.now());
      if (!d.ok) assert.fail(`send ${i + 1} refused: ${d.reason}`);
      clock.advance(500);
    }
    clock.advance(1_000);
    const expected = { ok: false, retryAfterMs: T0.getTime() + 86_400_000 - clock.now().getTime(), reason: PER_DAY_GMAIL };
    assert.deepEqual(await a.tryAcquire(mailbox, 'gmail', clock.now()), expected);

    await stop(a);
    a = await replica();
    assert.deepEqual(await a.tryAcquire(mailbox, 'gmail', clock.now()), expected);
    assert.deepEqual(await b.tryAcquire(mailbox, 'gmail', clock.now()), expected);
    // A day after the first send, its slot is free again.
    clock.set(new Date(T0.getTime() + 86_400_000));
    assert.deepEqual(await a.tryAcquire(mailbox, 'gmail', clock.now()), { ok: true });
    assert.deepEqual(await b.tryAcquire(mailbox, 'gmail', clock.now()), { ok: false, retryAfterMs: 500, reason: PER_DAY_GMAIL });
  });
});
