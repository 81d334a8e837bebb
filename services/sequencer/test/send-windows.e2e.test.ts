import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { EmailSendRequested, emailSendRequestedTopic } from '@telltale/contracts';
import { ManualClock } from '@telltale/db';
import { localIdentityHeaders, type StartedService } from '@telltale/runtime';
import { eventually } from '@telltale/testing';
import { startSequencerUnderTest, type SequencerUnderTest } from './sequencer-harness';
import { recordTopic, type TopicRecorder } from './topic-recorder';
import { MAX_JITTER_SECONDS } from '../src/scheduling/send-window';

/**
 * Send windows (issue 15) against real PostgreSQL and Kafka, on a manual clock: a due step outside
 * the window waits for its opening in the prospect's time zone (else the sequence's), spread by a
 * jitter that is the same on every pass; right across the daylight-saving changes of
 * America/New_York and Europe/Berlin (spring forward: 02:30 does not exist; fall back: 01:30 or
 * 02:30 happens twice).
 */

const ORG = randomUUID();
const MAILBOX = randomUUID();
const prefix = `seq-windows-${randomBytes(4).toString('hex')}.`;
const clock = new ManualClock(new Date('2027-03-12T23:00:00Z'));
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'];

let harness: SequencerUnderTest;
let sequencer: StartedService;
let recorder: TopicRecorder<EmailSendRequested>;
const requested = (): EmailSendRequested[] => recorder.events;

async function api(path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${sequencer.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...(await localIdentityHeaders(ORG)) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function windowed(sendWindow: unknown): Promise<string> {
  const created = await api('/v1/sequences', { name: `Window ${randomUUID()}`, sendWindow, steps: [{ subject: 'Hello', text: 'One.' }] });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.deepEqual(created.body.sendWindow, sendWindow);
  return created.body.id as string;
}

async function enroll(sequenceId: string, timeZone: string | null = null): Promise<string> {
  const enrolled = await api(`/v1/sequences/${sequenceId}/enrollments`, {
    mailboxId: MAILBOX,
    from: { address: 'sam@telltale.test', name: null },
    prospect: { email: `p-${randomUUID()}@prospect.example`, name: null },
    timeZone,
  });
  assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
  return enrolled.body.id as string;
}

const dueAt = async (enrollmentId: string): Promise<number> => {
  const view = await api(`/v1/enrollments/${enrollmentId}`);
  assert.equal(view.status, 200);
  return Date.parse(view.body.nextDueAt);
};

/** The step waits from the window's opening, spread by less than the jitter's bound. */
async function assertWaitsFor(enrollmentId: string, opening: string): Promise<number> {
  const due = await dueAt(enrollmentId);
  const offset = due - Date.parse(opening);
  assert.ok(offset >= 0 && offset < MAX_JITTER_SECONDS * 1000, `due ${new Date(due).toISOString()}, expected within ${MAX_JITTER_SECONDS} s after ${opening}`);
  return due;
}

before(async () => {
  harness = await startSequencerUnderTest(prefix, clock, 'sequencer-windows-test');
  sequencer = harness.sequencer;
  await harness.announceMailbox({ orgId: ORG, mailboxId: MAILBOX, emailAddress: 'sam@telltale.test', changedAt: clock.now() });
  await harness.mailboxKnown(ORG, MAILBOX);
  recorder = await recordTopic(prefix, emailSendRequestedTopic, EmailSendRequested, 'windows-test');
});

after(async () => {
  await recorder?.stop();
  await harness?.stop();
});

test('Friday evening in New York waits for Monday 09:00, which is EDT after the spring change; a pass again does not move it; it leaves at its slot', async () => {
  clock.set(new Date('2027-03-12T23:00:00Z')); // Friday 18:00 EST
  const sequenceId = await windowed({ days: WEEKDAYS, start: '09:00', end: '17:00', timeZone: 'America/New_York' });
  const enrollmentId = await enroll(sequenceId);
  await harness.dispatcher.tick();
  // Monday 2027-03-15 09:00 EDT (UTC−4), not 14:00Z as in winter.
  const due = await assertWaitsFor(enrollmentId, '2027-03-15T13:00:00Z');
  await harness.dispatcher.tick();
  assert.equal(await dueAt(enrollmentId), due, 'another pass keeps the slot');
  clock.set(new Date(due - 1000));
  await harness.dispatcher.tick();
  assert.equal(await dueAt(enrollmentId), due, 'not before its slot');
  assert.equal(requested().some((r) => r.enrollmentId === enrollmentId), false);
  clock.set(new Date(due));
  await harness.dispatcher.tick();
  const sent = await eventually('the hand-over', () => requested().find((r) => r.enrollmentId === enrollmentId), { timeoutMs: 20_000, intervalMs: 50 });
  assert.equal(sent.requestedAt, new Date(due).toISOString());
  const explained = await api(`/v1/enrollments/${enrollmentId}`);
  assert.equal(explained.body.history.filter((h: { transition: string }) => h.transition === 'step-deferred').length, 1);
});

test('the prospect’s own time zone wins: a Berlin prospect in a New York sequence waits for 09:00 CEST on the Monday after Berlin’s change', async () => {
  clock.set(new Date('2027-03-26T17:00:00Z')); // Friday 18:00 CET in Berlin, 13:00 EDT in New York (inside New York's window)
  const sequenceId = await windowed({ days: WEEKDAYS, start: '09:00', end: '17:00', timeZone: 'America/New_York' });
  const berlin = await enroll(sequenceId, 'Europe/Berlin');
  const local = await enroll(sequenceId);
  await harness.dispatcher.tick();
  await assertWaitsFor(berlin, '2027-03-29T07:00:00Z'); // Monday 09:00 CEST (UTC+2)
  await assertWaitsFor(local, '2027-03-26T17:00:00Z'); // open now in New York: only spread
});

test('spring forward: a window from 02:30 opens when the clock jumps to 03:00 (New York and Berlin)', async () => {
  clock.set(new Date('2027-03-14T05:00:00Z')); // Sunday 00:00 EST
  const ny = await enroll(await windowed({ days: ['sun'], start: '02:30', end: '04:00', timeZone: 'America/New_York' }));
  await harness.dispatcher.tick();
  await assertWaitsFor(ny, '2027-03-14T07:00:00Z'); // 03:00 EDT: 02:30 did not exist
  clock.set(new Date('2027-03-27T23:00:00Z')); // Sunday 00:00 CET
  const berlin = await enroll(await windowed({ days: ['sun'], start: '02:30', end: '04:00', timeZone: 'Europe/Berlin' }));
  await harness.dispatcher.tick();
  await assertWaitsFor(berlin, '2027-03-28T01:00:00Z'); // 03:00 CEST
});

test('fall back: a window from 01:30 (New York) or 02:30 (Berlin) opens at the first of the two', async () => {
  clock.set(new Date('2027-11-07T04:00:00Z')); // Sunday 00:00 EDT
  const ny = await enroll(await windowed({ days: ['sun'], start: '01:30', end: '01:59', timeZone: 'America/New_York' }));
  await harness.dispatcher.tick();
  await assertWaitsFor(ny, '2027-11-07T05:30:00Z'); // 01:30 EDT, not 06:30Z (01:30 EST)
  clock.set(new Date('2027-10-30T22:00:00Z')); // Sunday 00:00 CEST
  const berlin = await enroll(await windowed({ days: ['sun'], start: '02:30', end: '04:00', timeZone: 'Europe/Berlin' }));
  await harness.dispatcher.tick();
  await assertWaitsFor(berlin, '2027-10-31T00:30:00Z'); // 02:30 CEST
  // The second 01:30 in New York is still inside a window that runs 01:30–01:59 by the wall clock.
  clock.set(new Date('2027-11-07T06:40:00Z')); // 01:40 EST, the second time round
  const again = await enroll(await windowed({ days: ['sun'], start: '01:30', end: '01:59', timeZone: 'America/New_York' }));
  await harness.dispatcher.tick();
  const due = await dueAt(again);
  assert.ok(due >= clock.now().getTime() && due < Date.parse('2027-11-07T06:59:00Z'), 'spread within the open window');
});

test('a batch enrolled together leaves spread over the first minutes of the window, not at one second', async () => {
  clock.set(new Date('2027-03-13T03:00:00Z')); // Friday 22:00 EST
  const sequenceId = await windowed({ days: WEEKDAYS, start: '09:00', end: '17:00', timeZone: 'America/New_York' });
  const batch = await api(`/v1/sequences/${sequenceId}/enrollments/batch`, {
    mailboxId: MAILBOX,
    from: { address: 'sam@telltale.test', name: null },
    rows: Array.from({ length: 20 }, (_, i) => ({ prospect: { email: `batch-${i}-${randomUUID()}@prospect.example`, name: null } })),
  });
  assert.equal(batch.status, 200, JSON.stringify(batch.body));
  await harness.dispatcher.tick();
  const ids = (batch.body.results as { enrollmentId: string }[]).map((r) => r.enrollmentId);
  const dues = await Promise.all(ids.map((id) => assertWaitsFor(id, '2027-03-15T13:00:00Z')));
  assert.ok(new Set(dues).size >= 15, `20 enrollments, ${new Set(dues).size} distinct send times`);
});

test('a window is checked when saved: times, order, days and time zone', async () => {
  const refuse = async (sendWindow: unknown, path: string) => {
    const res = await api('/v1/sequences', { name: 'Bad window', sendWindow, steps: [{ subject: 'S', text: 'x' }] });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.ok(res.body.issues.some((i: { path: string }) => i.path === path), JSON.stringify(res.body.issues));
  };
  await refuse({ days: ['mon'], start: '9:00', end: '17:00', timeZone: 'UTC' }, 'sendWindow.start');
  await refuse({ days: ['mon'], start: '17:00', end: '09:00', timeZone: 'UTC' }, 'sendWindow.end');
  await refuse({ days: [], start: '09:00', end: '17:00', timeZone: 'UTC' }, 'sendWindow.days');
  await refuse({ days: ['mon'], start: '09:00', end: '17:00', timeZone: 'Mars/Olympus_Mons' }, 'sendWindow.timeZone');
  const sequenceId = await windowed({ days: ['mon'], start: '09:00', end: '17:00', timeZone: 'UTC' });
  const badZone = await api(`/v1/sequences/${sequenceId}/enrollments`, { mailboxId: MAILBOX, from: { address: 'sam@telltale.test', name: null }, prospect: { email: 'z@prospect.example', name: null }, timeZone: 'Nowhere/Else' });
  assert.equal(badZone.status, 400);
});
