import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  emailBouncedTopic,
  emailComplainedTopic,
  replyDetectedTopic,
  unsubscribeRequestedTopic,
  type EmailBounced,
  type ReplyDetected,
  type TopicDefinition,
} from '@telltale/contracts';
import { ManualClock } from '@telltale/db';
import { buildEvent } from '@telltale/kafka';
import { localIdentityHeaders, ServiceRuntime, type LocalCallerOptions, type StartedService } from '@telltale/runtime';
import { eventually } from '@telltale/testing';
import type { StepDispatcher } from '../src/scheduling/step-dispatcher';
import { startSequencerUnderTest, type SequencerUnderTest } from './sequencer-harness';

/**
 * The suppression list (issue 15) against real PostgreSQL and Kafka: never shared between
 * organisations; enrolment refused (single and per batch row, prospect or CC), lifted, re-enrolled;
 * a hard bounce suppresses and a soft one does not; a reply asking to stop (three languages) and a
 * List-Unsubscribe request stop with reason unsubscribed and suppress; a due step whose CC is
 * suppressed stops instead of being handed over; every change announced as suppression.changed.v1.
 */

const ORG_A = randomUUID();
const ORG_B = randomUUID();
const MAILBOX_A = randomUUID();
const MAILBOX_B = randomUUID();
const REP_A = 'ana@a.telltale.test';
const REP_B = 'ben@b.telltale.test';
const prefix = `seq-suppression-${randomBytes(4).toString('hex')}.`;
const clock = new ManualClock(new Date('2026-12-01T10:00:00Z'));

let harness: SequencerUnderTest;
let sequencer: StartedService;
let dispatcher: StepDispatcher;

async function api(org: string, method: string, path: string, body?: unknown, who: LocalCallerOptions = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${sequencer.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(await localIdentityHeaders(org, who)) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const until = <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => eventually(what, probe, { timeoutMs: 20_000, intervalMs: 50 });

async function produce<T extends TopicDefinition>(topic: T, org: string, payload: unknown): Promise<void> {
  const event = buildEvent(topic, payload as never, { orgId: org });
  await harness.producer.send({ topic: prefix + event.topic, messages: [{ key: event.key, value: JSON.stringify(event.payload), headers: event.headers }] });
}

async function sequence(org: string, name: string): Promise<string> {
  const created = await api(org, 'POST', '/v1/sequences', { name, steps: [{ subject: name, text: 'One.' }, { delayDays: 3, text: 'Two.' }] });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.id as string;
}

function enrolBody(org: string, email: string, cc: string[] = []) {
  return {
    mailboxId: org === ORG_A ? MAILBOX_A : MAILBOX_B,
    from: { address: org === ORG_A ? REP_A : REP_B, name: null },
    prospect: { email, name: null },
    cc: cc.map((address) => ({ address, name: null })),
  };
}

async function enrol(org: string, sequenceId: string, email: string, cc: string[] = []): Promise<{ status: number; body: any }> {
  return api(org, 'POST', `/v1/sequences/${sequenceId}/enrollments`, enrolBody(org, email, cc));
}

async function live(org: string, address: string): Promise<any | undefined> {
  const page = await api(org, 'GET', `/v1/suppressions?q=${encodeURIComponent(address)}`);
  assert.equal(page.status, 200, JSON.stringify(page.body));
  return page.body.items.find((i: any) => i.address === address);
}

const enrollmentWhere = (org: string, id: string, predicate: (e: any) => boolean, what: string) =>
  until(what, async () => {
    const e = await api(org, 'GET', `/v1/enrollments/${id}`);
    return predicate(e.body) ? e.body : undefined;
  });

async function announced(address: string): Promise<{ change: string; reason: string; source: any }[]> {
  const rows = (await sequencer.app
    .get(ServiceRuntime)
    .dataSource.query(`SELECT payload FROM sequencer.outbox WHERE topic = $1 AND payload->>'address' = $2 ORDER BY seq`, [`${prefix}suppression.changed.v1`, address])) as {
    payload: { change: string; reason: string; source: unknown };
  }[];
  return rows.map((r) => r.payload as any);
}

function replyEvent(enrollmentId: string, sequenceId: string, from: string, over: Partial<ReplyDetected>): ReplyDetected {
  const now = clock.now().toISOString();
  const replyId = randomUUID();
  return {
    replyId,
    orgId: ORG_A,
    mailboxId: MAILBOX_A,
    sentEmailId: randomUUID(),
    enrollmentId,
    sequenceId,
    kind: 'reply',
    relation: 'prospect',
    matchedBy: 'in_reply_to',
    from: { address: from, name: null },
    inboundMessageId: null,
    providerMessageId: replyId,
    subject: 'Re: Hello',
    snippet: null,
    returnDate: null,
    receivedAt: now,
    detectedAt: now,
    ...over,
  };
}

before(async () => {
  harness = await startSequencerUnderTest(prefix, clock, 'sequencer-suppression-test');
  ({ sequencer, dispatcher } = harness);
  await harness.announceMailbox({ orgId: ORG_A, mailboxId: MAILBOX_A, emailAddress: REP_A, changedAt: clock.now() });
  await harness.announceMailbox({ orgId: ORG_B, mailboxId: MAILBOX_B, emailAddress: REP_B, changedAt: clock.now() });
  await harness.mailboxKnown(ORG_A, MAILBOX_A);
  await harness.mailboxKnown(ORG_B, MAILBOX_B);
});

after(async () => {
  await harness?.stop();
});

test('a manual entry refuses enrolment in its organisation only; lifted, the address is enrolled again', async () => {
  const seqA = await sequence(ORG_A, 'Suppressed A');
  const seqB = await sequence(ORG_B, 'Suppressed B');
  const liveBefore = (await enrol(ORG_A, seqA, 'pat@prospect.test')).body.id as string;

  const added = await api(ORG_A, 'POST', '/v1/suppressions', { address: 'Pat@Prospect.test', note: 'asked by phone' });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  assert.equal(added.body.address, 'pat@prospect.test');
  assert.equal(added.body.reason, 'manual');
  assert.deepEqual(added.body.source, { kind: 'person', id: added.body.createdBy, detail: 'asked by phone' });
  assert.equal((await api(ORG_A, 'POST', '/v1/suppressions', { address: 'pat@prospect.test' })).body.error, 'already_suppressed');
  // The live enrollment of that prospect stopped.
  const stopped = await enrollmentWhere(ORG_A, liveBefore, (e) => e.state === 'stopped', 'the live enrollment to stop');
  assert.equal(stopped.stopReason, 'manual');

  const refused = await enrol(ORG_A, seqA, 'pat@prospect.test');
  assert.equal(refused.status, 422);
  assert.equal(refused.body.error, 'address_suppressed');
  assert.equal(refused.body.reason, 'manual');
  assert.equal(refused.body.since, added.body.since);
  assert.equal(refused.body.field, 'prospect.email');
  assert.match(refused.body.message, /pat@prospect\.test is on your organisation's suppression list/);
  const onCc = await enrol(ORG_A, seqA, 'lee@prospect.test', ['someone@else.test', 'PAT@prospect.test']);
  assert.equal(onCc.status, 422);
  assert.equal(onCc.body.field, 'cc.1.address');

  // Organisation B never sees A's entry: it enrols the address, lists nothing, cannot lift it.
  assert.equal((await enrol(ORG_B, seqB, 'pat@prospect.test')).status, 201);
  assert.equal(await live(ORG_B, 'pat@prospect.test'), undefined);
  assert.equal((await api(ORG_B, 'POST', `/v1/suppressions/${added.body.id}/lift`, { reason: 'mine now' })).status, 404);

  // Batch: each row on its own.
  const batch = await api(ORG_A, 'POST', `/v1/sequences/${seqA}/enrollments/batch`, {
    mailboxId: MAILBOX_A,
    from: { address: REP_A, name: null },
    rows: [{ prospect: { email: 'ok@prospect.test' } }, { prospect: { email: 'pat@prospect.test' } }, { prospect: { email: 'kim@prospect.test' }, cc: [{ address: 'pat@prospect.test' }] }],
  });
  assert.equal(batch.status, 200, JSON.stringify(batch.body));
  assert.equal(batch.body.created, 1);
  assert.equal(batch.body.errors, 2);
  assert.deepEqual(
    batch.body.results.slice(1).map((r: any) => [r.row, r.status, r.error, r.field, r.reason, r.since]),
    [
      [1, 'error', 'address_suppressed', 'prospect.email', 'manual', added.body.since],
      [2, 'error', 'address_suppressed', 'cc.0.address', 'manual', added.body.since],
    ],
  );

  // Only an admin lifts; a reason is required.
  assert.equal((await api(ORG_A, 'POST', `/v1/suppressions/${added.body.id}/lift`, { reason: 'x' }, { roles: ['manager'] })).status, 403);
  assert.equal((await api(ORG_A, 'GET', '/v1/suppressions', undefined, { roles: ['rep'] })).status, 403);
  assert.equal((await api(ORG_A, 'POST', `/v1/suppressions/${added.body.id}/lift`, {})).status, 400);
  clock.advance(60_000);
  const lifted = await api(ORG_A, 'POST', `/v1/suppressions/${added.body.id}/lift`, { reason: 'they asked to hear from us again' });
  assert.equal(lifted.status, 200, JSON.stringify(lifted.body));
  assert.equal(lifted.body.liftReason, 'they asked to hear from us again');
  assert.equal((await api(ORG_A, 'POST', `/v1/suppressions/${added.body.id}/lift`, { reason: 'again' })).body.error, 'already_lifted');
  assert.equal(await live(ORG_A, 'pat@prospect.test'), undefined);
  const history = await api(ORG_A, 'GET', '/v1/suppressions?state=lifted&q=pat@');
  assert.deepEqual(history.body.items.map((i: any) => [i.address, i.liftReason]), [['pat@prospect.test', 'they asked to hear from us again']]);
  assert.equal((await enrol(ORG_A, seqA, 'pat@prospect.test')).status, 201);

  assert.deepEqual(
    (await until('both changes announced', async () => ((await announced('pat@prospect.test')).length === 2 ? announced('pat@prospect.test') : undefined))).map((p) => [p.change, p.reason]),
    [
      ['added', 'manual'],
      ['lifted', 'manual'],
    ],
  );
});

test('the list pages with a cursor and refuses a bad one', async () => {
  for (let i = 0; i < 3; i++) assert.equal((await api(ORG_B, 'POST', '/v1/suppressions', { address: `page${i}@list.test` })).status, 201);
  const first = await api(ORG_B, 'GET', '/v1/suppressions?q=@list.test&limit=2');
  assert.equal(first.body.items.length, 2);
  assert.ok(first.body.nextCursor);
  const second = await api(ORG_B, 'GET', `/v1/suppressions?q=@list.test&limit=2&cursor=${first.body.nextCursor}`);
  assert.deepEqual(
    [...first.body.items, ...second.body.items].map((i: any) => i.address).sort(),
    ['page0@list.test', 'page1@list.test', 'page2@list.test'],
  );
  assert.equal(second.body.nextCursor, null);
  assert.equal((await api(ORG_B, 'GET', '/v1/suppressions?cursor=nope!')).status, 400);
  assert.equal((await api(ORG_B, 'POST', '/v1/suppressions', { address: 'not-an-address' })).status, 400);
});

test('a hard bounce suppresses the recipient and stops their enrollments; a soft bounce does not', async () => {
  const seqA = await sequence(ORG_A, 'Bounces');
  const gone = (await enrol(ORG_A, seqA, 'gone@prospect.test')).body.id as string;
  const full = (await enrol(ORG_A, seqA, 'full@prospect.test')).body.id as string;
  const bounce = (enrollmentId: string, recipient: string, severity: 'hard' | 'soft', reason: EmailBounced['reason'], statusCode: string): EmailBounced => ({
    bounceId: randomUUID(),
    orgId: ORG_A,
    mailboxId: MAILBOX_A,
    sentEmailId: randomUUID(),
    enrollmentId,
    recipient,
    severity,
    statusCode,
    diagnostic: null,
    reason,
    detectedAt: clock.now().toISOString(),
  });
  const soft = bounce(full, 'full@prospect.test', 'soft', 'mailbox_full', '5.2.2');
  const hard = bounce(gone, 'gone@prospect.test', 'hard', 'user_unknown', '5.1.1');
  await produce(emailBouncedTopic, ORG_A, soft);
  await produce(emailBouncedTopic, ORG_A, hard);
  const entry = await until('the hard bounce suppressed', () => live(ORG_A, 'gone@prospect.test'));
  assert.equal(entry.reason, 'hard_bounce');
  assert.deepEqual(entry.source, { kind: 'bounce', id: hard.bounceId, detail: '5.1.1 user_unknown' });
  assert.equal((await enrollmentWhere(ORG_A, gone, (e) => e.state === 'stopped', 'stopped by the suppression')).stopReason, 'bounced');
  // A third event on full's key after the soft bounce: once it is handled, so is the soft bounce.
  const marker = bounce(full, 'other@prospect.test', 'hard', 'host_unknown', '5.1.2');
  await produce(emailBouncedTopic, ORG_A, marker);
  await until('the marker handled', () => live(ORG_A, 'other@prospect.test'));
  assert.equal(await live(ORG_A, 'full@prospect.test'), undefined);
  assert.equal((await api(ORG_A, 'GET', `/v1/enrollments/${full}`)).body.state, 'active');
  const refused = await enrol(ORG_A, seqA, 'gone@prospect.test');
  assert.deepEqual([refused.status, refused.body.error, refused.body.reason], [422, 'address_suppressed', 'hard_bounce']);
});

test('a reply asking to stop (English, German, Japanese) stops with reason unsubscribed and suppresses the person', async () => {
  const seqA = await sequence(ORG_A, 'Stop asks');
  const asks = [
    { email: 'en@stop.test', subject: 'Re: Hello', snippet: 'Please remove me from your mailing list.' },
    { email: 'de@stop.test', subject: 'AW: Hello', snippet: 'Bitte keine E-Mails mehr an mich.' },
    { email: 'ja@stop.test', subject: 'Re: Hello', snippet: '配信停止をお願いします。' },
  ];
  for (const ask of asks) {
    const id = (await enrol(ORG_A, seqA, ask.email)).body.id as string;
    const reply = replyEvent(id, seqA, ask.email, { subject: ask.subject, snippet: ask.snippet, unsubscribeRequested: true });
    await produce(replyDetectedTopic, ORG_A, reply);
    const e = await enrollmentWhere(ORG_A, id, (x) => x.state === 'stopped', `${ask.email} stopped`);
    assert.equal(e.stopReason, 'unsubscribed');
    const entry = await until(`${ask.email} suppressed`, () => live(ORG_A, ask.email));
    assert.deepEqual([entry.reason, entry.source], ['unsubscribed', { kind: 'reply', id: reply.replyId, detail: null }]);
  }
  // An ordinary reply stops as "replied" and suppresses nobody.
  const plain = (await enrol(ORG_A, seqA, 'plain@stop.test')).body.id as string;
  await produce(replyDetectedTopic, ORG_A, replyEvent(plain, seqA, 'plain@stop.test', { snippet: 'Sounds good, call me.' }));
  assert.equal((await enrollmentWhere(ORG_A, plain, (x) => x.state === 'stopped', 'plain reply stops')).stopReason, 'replied');
  assert.equal(await live(ORG_A, 'plain@stop.test'), undefined);
});

test('a List-Unsubscribe request stops the enrollment as unsubscribed and suppresses the address, once', async () => {
  const seqA = await sequence(ORG_A, 'One click');
  const id = (await enrol(ORG_A, seqA, 'click@unsub.test')).body.id as string;
  const request = { unsubscribeId: randomUUID(), orgId: ORG_A, enrollmentId: id, address: 'click@unsub.test', via: 'one_click', occurredAt: clock.now().toISOString() };
  await produce(unsubscribeRequestedTopic, ORG_A, request);
  await produce(unsubscribeRequestedTopic, ORG_A, { ...request, unsubscribeId: randomUUID(), via: 'unsubscribe_page' });
  assert.equal((await enrollmentWhere(ORG_A, id, (x) => x.state === 'stopped', 'stopped by the unsubscribe')).stopReason, 'unsubscribed');
  const entry = await until('suppressed', () => live(ORG_A, 'click@unsub.test'));
  assert.deepEqual(entry.source, { kind: 'one_click', id: request.unsubscribeId, detail: null });
  await until('the second request handled', async () => {
    const rows = (await sequencer.app
      .get(ServiceRuntime)
      .dataSource.query(`SELECT count(*)::int AS n FROM sequencer.processed_event WHERE topic LIKE '%unsubscribe.requested.v1'`)) as { n: number }[];
    return rows[0]!.n >= 2 ? true : undefined;
  });
  assert.deepEqual((await announced('click@unsub.test')).map((p) => p.change), ['added']);
});

test('a due step whose CC was suppressed stops the enrollment instead of being handed over', async () => {
  const seqA = await sequence(ORG_A, 'Suppressed CC');
  const id = (await enrol(ORG_A, seqA, 'main@cc.test', ['boss@cc.test'])).body.id as string;
  const added = await api(ORG_A, 'POST', '/v1/suppressions', { address: 'boss@cc.test' });
  assert.equal(added.status, 201);
  // The prospect is not suppressed: the enrollment is still live until its step is due.
  assert.equal((await api(ORG_A, 'GET', `/v1/enrollments/${id}`)).body.state, 'active');
  clock.advance(60_000);
  await dispatcher.tick();
  const e = (await api(ORG_A, 'GET', `/v1/enrollments/${id}`)).body;
  assert.equal(e.state, 'stopped');
  assert.equal(e.stopReason, 'manual');
  assert.deepEqual(e.steps, []);
  const stop = e.history.find((h: any) => h.transition === 'stop');
  assert.deepEqual([stop.detail.reason, stop.detail.address, stop.detail.suppression], ['address_suppressed', 'boss@cc.test', 'manual']);
});

test('a complaint (ARF feedback report) suppresses the complainer and stops their enrollments as unsubscribed', async () => {
  const seqA = await sequence(ORG_A, 'Complaints');
  const id = (await enrol(ORG_A, seqA, 'angry@complain.test')).body.id as string;
  const complaintId = randomUUID();
  await produce(emailComplainedTopic, ORG_A, {
    complaintId,
    orgId: ORG_A,
    mailboxId: MAILBOX_A,
    sentEmailId: randomUUID(),
    enrollmentId: id,
    recipient: 'angry@complain.test',
    feedbackType: 'abuse',
    detectedAt: clock.now().toISOString(),
  });
  const entry = await until('the complainer suppressed', () => live(ORG_A, 'angry@complain.test'));
  assert.deepEqual([entry.reason, entry.source], ['complaint', { kind: 'complaint', id: complaintId, detail: 'abuse' }]);
  assert.equal((await enrollmentWhere(ORG_A, id, (e) => e.state === 'stopped', 'stopped by the complaint')).stopReason, 'unsubscribed');
  // Never shared: organisation B still enrols the address.
  const seqB = await sequence(ORG_B, 'Complaints B');
  assert.equal((await enrol(ORG_B, seqB, 'angry@complain.test')).status, 201);
});
