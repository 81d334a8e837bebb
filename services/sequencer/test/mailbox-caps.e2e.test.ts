import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { ManualClock } from '@telltale/db';
import { localIdentityHeaders, type StartedService } from '@telltale/runtime';
import { startSequencerUnderTest, type SequencerUnderTest } from './sequencer-harness';

/**
 * Per-mailbox daily caps (issue 15) against real PostgreSQL and Kafka: set by admins and managers,
 * steps over the cap wait for the next day in the cap's time zone (never dropped), the wait is in
 * the enrollment's explanation, and another organisation's mailbox is not found.
 */

const ORG = randomUUID();
const OTHER_ORG = randomUUID();
const MAILBOX = randomUUID();
const OTHER_MAILBOX = randomUUID();
const prefix = `seq-caps-${randomBytes(4).toString('hex')}.`;
const clock = new ManualClock(new Date('2027-03-10T15:00:00Z')); // Wednesday 10:00 in New York

let harness: SequencerUnderTest;
let sequencer: StartedService;

async function api(path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST', org = ORG, roles?: ('admin' | 'manager' | 'rep')[]): Promise<{ status: number; body: any }> {
  const res = await fetch(`${sequencer.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(await localIdentityHeaders(org, roles ? { roles } : {})) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

before(async () => {
  harness = await startSequencerUnderTest(prefix, clock, 'sequencer-caps-test');
  sequencer = harness.sequencer;
  await harness.announceMailbox({ orgId: ORG, mailboxId: MAILBOX, emailAddress: 'sam@telltale.test', changedAt: clock.now() });
  await harness.announceMailbox({ orgId: OTHER_ORG, mailboxId: OTHER_MAILBOX, emailAddress: 'ola@other.test', changedAt: clock.now() });
  await harness.mailboxKnown(ORG, MAILBOX);
  await harness.mailboxKnown(OTHER_ORG, OTHER_MAILBOX);
});

after(async () => {
  await harness?.stop();
});

test('a mailbox over its daily cap hands over no more steps that day; the rest wait for the next day and then go, none dropped', async () => {
  const set = await api(`/v1/mailbox-caps/${MAILBOX}`, { dailyCap: 3, timeZone: 'America/New_York' }, 'PUT', ORG, ['manager']);
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.deepEqual(set.body, { mailboxId: MAILBOX, dailyCap: 3, timeZone: 'America/New_York', usedToday: 0 });
  const sequence = await api('/v1/sequences', { name: 'Capped', steps: [{ subject: 'Hello', text: 'One.' }] });
  assert.equal(sequence.status, 201);
  const batch = await api(`/v1/sequences/${sequence.body.id}/enrollments/batch`, {
    mailboxId: MAILBOX,
    from: { address: 'sam@telltale.test', name: null },
    rows: Array.from({ length: 5 }, (_, i) => ({ prospect: { email: `capped-${i}@prospect.example`, name: null } })),
  });
  assert.equal(batch.status, 200, JSON.stringify(batch.body));
  const ids = (batch.body.results as { enrollmentId: string }[]).map((r) => r.enrollmentId);
  await harness.dispatcher.tick();
  const views = await Promise.all(ids.map(async (id) => (await api(`/v1/enrollments/${id}`)).body));
  const handed = views.filter((v) => v.steps.length === 1);
  const waiting = views.filter((v) => v.steps.length === 0);
  assert.equal(handed.length, 3);
  assert.equal(waiting.length, 2);
  // Midnight in New York on Thursday (EST, UTC−5).
  for (const v of waiting) assert.equal(v.nextDueAt, '2027-03-11T05:00:00.000Z');
  assert.equal((await api(`/v1/mailbox-caps/${MAILBOX}`)).body.usedToday, 3);
  const explained = await api(`/v1/enrollments/${waiting[0].id}/explain`);
  assert.match(explained.body.answer, /due at .*the mailbox reached its daily cap of 3 steps; it waits for the next day in America\/New_York/);

  // Another pass the same day changes nothing.
  clock.set(new Date('2027-03-11T04:59:59Z'));
  await harness.dispatcher.tick();
  assert.equal((await api(`/v1/enrollments/${waiting[0].id}`)).body.steps.length, 0);
  // The next day they go.
  clock.set(new Date('2027-03-11T05:00:00Z'));
  await harness.dispatcher.tick();
  for (const v of waiting) assert.equal((await api(`/v1/enrollments/${v.id}`)).body.steps.length, 1);
  assert.equal((await api(`/v1/mailbox-caps/${MAILBOX}`)).body.usedToday, 2);
});

test('only admins and managers set a cap; removing it; limits; another organisation’s mailbox is not found', async () => {
  assert.equal((await api(`/v1/mailbox-caps/${MAILBOX}`, { dailyCap: 10 }, 'PUT', ORG, ['rep'])).status, 403);
  assert.equal((await api(`/v1/mailbox-caps/${MAILBOX}`, { dailyCap: 0 }, 'PUT')).status, 400);
  assert.equal((await api(`/v1/mailbox-caps/${MAILBOX}`, { dailyCap: 10_001 }, 'PUT')).status, 400);
  assert.equal((await api(`/v1/mailbox-caps/${MAILBOX}`, { dailyCap: 10, timeZone: 'Atlantis/Capital' }, 'PUT')).status, 400);
  const utc = await api(`/v1/mailbox-caps/${MAILBOX}`, { dailyCap: 10 }, 'PUT');
  assert.equal(utc.body.timeZone, 'UTC');
  const removed = await api(`/v1/mailbox-caps/${MAILBOX}`, { dailyCap: null }, 'PUT');
  assert.equal(removed.status, 200);
  assert.equal(removed.body.dailyCap, null);
  assert.equal((await api(`/v1/mailbox-caps/${OTHER_MAILBOX}`)).status, 404);
  assert.equal((await api(`/v1/mailbox-caps/${OTHER_MAILBOX}`, { dailyCap: 1 }, 'PUT')).status, 404);
  assert.equal((await api(`/v1/mailbox-caps/${MAILBOX}`, undefined, 'GET', OTHER_ORG)).status, 404);
});
