import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { emailSentTopic, replyDetectedTopic } from '@telltale/contracts';
import { ManualClock } from '@telltale/db';
import { buildEvent } from '@telltale/kafka';
import { sharedLocalIdentity, type LocalCallerOptions, type StartedService } from '@telltale/runtime';
import { eventually } from '@telltale/testing';
import type { StepDispatcher } from '../src/scheduling/step-dispatcher';
import { startSequencerUnderTest, type SequencerUnderTest } from './sequencer-harness';

/**
 * The list and control endpoints the web app uses (issue 13) against real PostgreSQL and Kafka:
 * sequences and enrollments listed by cursor (sorts, filters, a rep's own only, another
 * organisation's never), editing a live sequence, manual pause and resume with the scheduler and
 * the send claim, and batch enrollment with per-row answers.
 */

const ORG = randomUUID();
const OTHER_ORG = randomUUID();
const MAILBOX = randomUUID();
const SAM = randomUUID();
const PRIYA = randomUUID();
const DAY = 86_400_000;
const FROM = { address: 'sam@telltale.test', name: 'Sam' };
const prefix = `seq-lists-${randomBytes(4).toString('hex')}.`;
const clock = new ManualClock(new Date('2026-12-01T10:00:00Z'));

const admin: LocalCallerOptions = { roles: ['admin'] };
const sam: LocalCallerOptions = { roles: ['rep'], userId: SAM };
const priya: LocalCallerOptions = { roles: ['rep'], userId: PRIYA };

let harness: SequencerUnderTest;
let sequencer: StartedService;
let dispatcher: StepDispatcher;
let producer: Producer;

async function call(method: string, path: string, body?: unknown, as: LocalCallerOptions = admin, org = ORG): Promise<{ status: number; body: any }> {
  const identity = await sharedLocalIdentity();
  const res = await fetch(`${sequencer.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(await identity.headers(org, as)) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function createSequence(name: string, as: LocalCallerOptions = admin, steps = 2): Promise<string> {
  const created = await call(
    'POST',
    '/v1/sequences',
    { name, steps: Array.from({ length: steps }, (_, i) => ({ subject: i === 0 ? name : null, delayDays: i === 0 ? 0 : 2, text: `Step ${i + 1}.` })) },
    as,
  );
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.id as string;
}

async function enroll(sequenceId: string, email: string, as: LocalCallerOptions = admin): Promise<string> {
  const res = await call('POST', `/v1/sequences/${sequenceId}/enrollments`, { mailboxId: MAILBOX, from: FROM, prospect: { email, name: null } }, as);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id as string;
}

/** Every item of a list, page by page (checks that pages neither repeat nor skip). */
async function all(path: string, as: LocalCallerOptions = admin): Promise<{ items: any[]; pages: number }> {
  const items: any[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await call('GET', `${path}${cursor ? `${sep}cursor=${cursor}` : ''}`, undefined, as);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    pages += 1;
  } while (cursor);
  return { items, pages };
}

before(async () => {
  harness = await startSequencerUnderTest(prefix, clock, 'sequencer-lists-test');
  ({ sequencer, dispatcher, producer } = harness);
  // The rep's mailbox is connected (mailbox-sync's event), so enrolments may name it.
  await harness.announceMailbox({ orgId: ORG, mailboxId: MAILBOX, emailAddress: FROM.address, changedAt: clock.now() });
  await harness.mailboxKnown(ORG, MAILBOX);
});

after(async () => {
  await harness?.stop();
});

test('GET /v1/sequences: cursor pages newest first or by name, q on the name, counts by state, a rep sees their own', async () => {
  const names = ['Cedar', 'alpha', 'Birch', 'Dogwood', 'Elm 100%'];
  const ids: string[] = [];
  for (const name of names) {
    ids.push(await createSequence(name, sam));
    clock.advance(1000);
  }
  const priyas = await createSequence('Priya only', priya);
  const live = await enroll(ids[0]!, 'a@cedar.example', sam);
  await enroll(ids[0]!, 'b@cedar.example', sam);
  await call('POST', `/v1/enrollments/${live}/stop`, undefined, sam);

  const newest = await all('/v1/sequences?limit=2', sam);
  assert.deepEqual(newest.items.map((s) => s.name), [...names].reverse());
  assert.equal(newest.pages, 3);
  const cedar = newest.items.find((s) => s.name === 'Cedar');
  assert.deepEqual(cedar.enrollments, { active: 1, paused: 0, stopped: 1, completed: 0, failed: 0 });
  assert.equal(cedar.stepCount, 2);
  assert.equal(cedar.ownerUserId, SAM);

  const byName = await all('/v1/sequences?sort=name&limit=2', sam);
  assert.equal(byName.items.length, names.length);
  assert.deepEqual(new Set(byName.items.map((s) => s.name)), new Set(names), 'every sequence once');
  assert.deepEqual((await all('/v1/sequences?q=ED', sam)).items.map((s) => s.name), ['Cedar']);
  assert.deepEqual((await all('/v1/sequences?q=%25', sam)).items.map((s) => s.name), ['Elm 100%'], 'q matches % literally');

  // A manager sees the organisation's, including Priya's; Priya only hers; another organisation nothing.
  const managerView = (await all('/v1/sequences?limit=100', { roles: ['manager'] })).items.map((s) => s.id);
  assert.ok(managerView.includes(priyas) && ids.every((id) => managerView.includes(id)));
  assert.deepEqual((await all('/v1/sequences', priya)).items.map((s) => s.id), [priyas]);
  assert.deepEqual((await call('GET', '/v1/sequences', undefined, admin, OTHER_ORG)).body, { items: [], nextCursor: null });

  // A cursor of the other sort, a forged cursor and a limit over 100 are 400s naming the field.
  const pageByName = await call('GET', '/v1/sequences?sort=name&limit=1', undefined, sam);
  const wrongSort = await call('GET', `/v1/sequences?cursor=${pageByName.body.nextCursor}`, undefined, sam);
  assert.equal(wrongSort.status, 400);
  assert.equal(wrongSort.body.issues[0].path, 'cursor');
  const forged = await call('GET', `/v1/sequences?cursor=${Buffer.from(JSON.stringify(['newest', 'not a time', 'x'])).toString('base64url')}`, undefined, sam);
  assert.equal(forged.status, 400);
  assert.equal((await call('GET', '/v1/sequences?limit=101', undefined, sam)).status, 400);
  assert.equal((await call('GET', '/v1/sequences?sort=size', undefined, sam)).status, 400);
});

test('GET /v1/sequences by name is in name order across pages', async () => {
  const org = randomUUID();
  for (const name of ['b', 'a', 'c', 'a']) {
    const res = await call('POST', '/v1/sequences', { name, steps: [{ subject: name, text: 'x' }] }, admin, org);
    assert.equal(res.status, 201);
  }
  const names: string[] = [];
  let cursor: string | null = null;
  do {
    const res: { body: { items: { name: string }[]; nextCursor: string | null } } = await call('GET', `/v1/sequences?sort=name&limit=1${cursor ? `&cursor=${cursor}` : ''}`, undefined, admin, org);
    names.push(...res.body.items.map((s) => s.name));
    cursor = res.body.nextCursor;
  } while (cursor);
  assert.deepEqual(names, ['a', 'a', 'b', 'c']);
});

test('GET /v1/enrollments: filtered by sequence, state and q; a rep sees only the prospects they enrolled', async () => {
  const seq = await createSequence('Enrollment list', admin);
  const samsSeq = await createSequence('Sam list', sam);
  const first = await enroll(seq, 'one@list.example');
  clock.advance(1000);
  const second = await enroll(seq, 'two@list.example');
  clock.advance(1000);
  const samOwn = await enroll(samsSeq, 'three@list.example', sam);
  await call('POST', `/v1/enrollments/${first}/stop`);

  const inSeq = await all(`/v1/enrollments?sequenceId=${seq}&limit=1`);
  assert.deepEqual(inSeq.items.map((e) => e.id), [second, first]);
  assert.equal(inSeq.items[0].sequenceName, 'Enrollment list');
  assert.equal(inSeq.items[0].stepCount, 2);
  assert.deepEqual((await all(`/v1/enrollments?sequenceId=${seq}&state=stopped`)).items.map((e) => e.id), [first]);
  assert.deepEqual((await all(`/v1/enrollments?q=TWO@`)).items.map((e) => e.id), [second]);
  const samsList = (await all('/v1/enrollments', sam)).items;
  assert.ok(samsList.some((e) => e.id === samOwn));
  assert.ok(samsList.every((e) => e.ownerUserId === SAM), 'only what Sam enrolled');
  assert.deepEqual((await all('/v1/enrollments', priya)).items, []);
  assert.deepEqual((await call('GET', '/v1/enrollments', undefined, admin, OTHER_ORG)).body, { items: [], nextCursor: null });
  assert.equal((await call('GET', '/v1/enrollments?state=sleeping')).status, 400);
  assert.equal((await call('GET', '/v1/enrollments?sequenceId=nope')).status, 400);
  assert.equal((await call('GET', '/v1/enrollments?cursor=!!')).status, 400);
});

test('PATCH /v1/sequences/:id: fields change; steps handed to the sender cannot be removed (409), later ones can', async () => {
  const seq = await createSequence('Editable', sam, 3);
  const renamed = await call('PATCH', `/v1/sequences/${seq}`, { name: 'Edited', tracking: { opens: false, clicks: true }, onColleagueReply: 'pause' }, sam);
  assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
  assert.equal(renamed.body.name, 'Edited');
  assert.deepEqual(renamed.body.tracking, { opens: false, clicks: true });
  assert.equal(renamed.body.onColleagueReply, 'pause');
  assert.equal(renamed.body.steps.length, 3);

  const enrollment = await enroll(seq, 'live@edit.example', sam);
  assert.equal(await tickFor(enrollment), 1, 'step 1 is handed over');
  const steps = (n: number) => Array.from({ length: n }, (_, i) => ({ subject: i === 0 ? 'New subject' : null, delayDays: 1, text: `New ${i + 1}` }));

  const removed = await call('PATCH', `/v1/sequences/${seq}`, { steps: [] }, sam);
  assert.equal(removed.status, 400);
  // Step 1 is in use, so dropping to one step is fine, and back up to four too.
  const shorter = await call('PATCH', `/v1/sequences/${seq}`, { steps: steps(1) }, sam);
  assert.equal(shorter.status, 200, JSON.stringify(shorter.body));
  assert.equal(shorter.body.steps.length, 1);
  const longer = await call('PATCH', `/v1/sequences/${seq}`, { steps: steps(4) }, sam);
  assert.equal(longer.status, 200);
  assert.deepEqual(longer.body.steps.map((s: { stepNumber: number }) => s.stepNumber), [1, 2, 3, 4]);
  assert.deepEqual(
    (await call('GET', `/v1/sequences/${seq}`, undefined, sam)).body.steps.map((s: { subject: string | null; text: string | null; html: string | null; delaySeconds: number }) => [s.subject, s.text, s.html, s.delaySeconds]),
    [['New subject', 'New 1', null, 86_400], [null, 'New 2', null, 86_400], [null, 'New 3', null, 86_400], [null, 'New 4', null, 86_400]],
    'the steps read back as written, bodies included, for an editor',
  );

  // Step 2 handed over too: a list of one is now refused, with a message that says why.
  const sent = (await call('GET', `/v1/enrollments/${enrollment}`, undefined, sam)).body;
  await producer.send({
    topic: prefix + emailSentTopic.name,
    messages: [sentMessage(enrollment, seq, sent.steps[0].sendRequestId, 1)],
  });
  await eventually('step 1 recorded as sent', async () => ((await call('GET', `/v1/enrollments/${enrollment}`)).body.nextStepNumber === 2 ? true : undefined), { timeoutMs: 20_000 });
  clock.advance(DAY);
  assert.equal(await tickFor(enrollment), 2, 'step 2 is handed over');
  const refused = await call('PATCH', `/v1/sequences/${seq}`, { steps: steps(1) }, sam);
  assert.equal(refused.status, 409);
  assert.equal(refused.body.error, 'steps_in_use');
  assert.equal(refused.body.stepsInUse, 2);
  assert.match(refused.body.message, /Steps 1 to 2 were already handed to the sender/);
  assert.equal((await call('GET', `/v1/sequences/${seq}`)).body.steps.length, 4, 'nothing changed');

  assert.equal((await call('PATCH', `/v1/sequences/${seq}`, {}, sam)).status, 400);
  assert.equal((await call('PATCH', `/v1/sequences/${seq}`, { name: 'x', colour: 'red' }, sam)).status, 400);
  assert.equal((await call('PATCH', `/v1/sequences/${seq}`, { name: 'Mine now' }, priya)).status, 404, "another rep's sequence");
  assert.equal((await call('PATCH', `/v1/sequences/${seq}`, { name: 'Mine now' }, admin, OTHER_ORG)).status, 404);
});

function sentMessage(enrollmentId: string, sequenceId: string, sendRequestId: string, stepNumber: number) {
  const event = buildEvent(
    emailSentTopic,
    {
      sentEmailId: randomUUID(),
      sendRequestId,
      orgId: ORG,
      mailboxId: MAILBOX,
      enrollmentId,
      sequenceId,
      stepNumber,
      messageId: `<${randomUUID()}@telltale.test>`,
      providerMessageId: null,
      providerThreadId: null,
      from: FROM,
      to: [{ address: 'someone@example.com', name: null }],
      cc: [],
      subject: 'Hello',
      tracking: { opens: false, clicks: false, trackedLinks: 0 },
      sentAt: clock.now().toISOString(),
    } as never,
    { orgId: ORG },
  );
  return { key: event.key, value: JSON.stringify(event.payload), headers: event.headers };
}

/** One scheduler pass (other tests' enrollments may be due too); how many hand-overs `enrollmentId` has now. */
async function tickFor(enrollmentId: string): Promise<number> {
  await dispatcher.tick();
  return ((await call('GET', `/v1/enrollments/${enrollmentId}`)).body.steps as { status: string }[]).filter((s) => s.status !== 'cancelled').length;
}

function autoReplyMessage(enrollmentId: string, sequenceId: string, from: string, returnDate: string) {
  const now = clock.now().toISOString();
  const event = buildEvent(
    replyDetectedTopic,
    {
      replyId: randomUUID(),
      orgId: ORG,
      mailboxId: MAILBOX,
      sentEmailId: randomUUID(),
      enrollmentId,
      sequenceId,
      kind: 'auto_reply',
      relation: 'prospect',
      matchedBy: 'in_reply_to',
      from: { address: from, name: null },
      inboundMessageId: null,
      providerMessageId: randomUUID(),
      subject: 'Out of office',
      snippet: null,
      returnDate,
      receivedAt: now,
      detectedAt: now,
    } as never,
    { orgId: ORG },
  );
  return { key: event.key, value: JSON.stringify(event.payload), headers: event.headers };
}

async function claim(sendRequestId: string): Promise<number> {
  const identity = await sharedLocalIdentity();
  const res = await fetch(`${sequencer.url}/internal/v1/send-requests/${sendRequestId}/claim`, {
    method: 'POST',
    headers: { authorization: `Bearer ${identity.sender.credential}` },
  });
  await res.text();
  return res.status;
}

test('pause by hand: nothing is handed over or claimed until resumed; resume schedules the next step its full delay from now', async () => {
  const seq = await createSequence('Pausable', sam);
  const id = await enroll(seq, 'pause@hold.example', sam);
  assert.equal(await tickFor(id), 1);
  const handedOver = (await call('GET', `/v1/enrollments/${id}`, undefined, sam)).body.steps[0].sendRequestId as string;

  const paused = await call('POST', `/v1/enrollments/${id}/pause`, {}, sam);
  assert.equal(paused.status, 200, JSON.stringify(paused.body));
  assert.equal(paused.body.state, 'paused');
  assert.equal(paused.body.pausedUntil, null, 'until resumed');
  assert.equal(paused.body.steps[0].status, 'cancelled', 'the unclaimed hand-over is cancelled');
  assert.equal(await claim(handedOver), 409, 'the sender may not send it');
  clock.advance(30 * DAY);
  assert.equal(await tickFor(id), 0, 'a pause until resumed never runs out');
  const explained = (await call('GET', `/v1/enrollments/${id}/explain`, undefined, sam)).body;
  assert.match(explained.answer, /^Not stopped, paused by hand until someone resumes it\. Step 1/);

  // Nothing shortens a pause until resumed (neither an out-of-office nor a dated pause by hand).
  const again = await call('POST', `/v1/enrollments/${id}/pause`, { until: new Date(clock.now().getTime() + DAY).toISOString() }, sam);
  assert.equal(again.status, 200);
  assert.equal(again.body.pausedUntil, null);

  const resumed = await call('POST', `/v1/enrollments/${id}/resume`, undefined, sam);
  assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
  assert.equal(resumed.body.state, 'active');
  assert.equal(resumed.body.nextStepNumber, 1);
  assert.equal(resumed.body.nextDueAt, clock.now().toISOString(), 'step 1 has no delay: due at once');
  assert.deepEqual(resumed.body.history.slice(-2).map((h: { transition: string }) => h.transition), ['pause', 'resume']);
  assert.equal(await tickFor(id), 1, 'handed over again after the resume');
  assert.equal((await call('POST', `/v1/enrollments/${id}/resume`, undefined, sam)).body.state, 'active', 'resuming an active enrollment changes nothing');

  // A dated pause runs out by itself.
  const dated = await call('POST', `/v1/enrollments/${id}/pause`, { until: new Date(clock.now().getTime() + 2 * DAY).toISOString() }, sam);
  assert.equal(dated.body.pausedUntil, new Date(clock.now().getTime() + 2 * DAY).toISOString());
  assert.match((await call('GET', `/v1/enrollments/${id}/explain`, undefined, sam)).body.answer, /^Not stopped, paused by hand until \d{4}-\d{2}-\d{2}T/);
  clock.advance(2 * DAY + 1000);
  assert.equal(await tickFor(id), 1, 'resumed by the scheduler and handed over');

  assert.equal((await call('POST', `/v1/enrollments/${id}/pause`, { until: '2020-01-01T00:00:00Z' }, sam)).status, 400);
  assert.equal((await call('POST', `/v1/enrollments/${id}/pause`, { until: 'tomorrow' }, sam)).status, 400);
  assert.equal((await call('POST', `/v1/enrollments/${id}/pause`, {}, priya)).status, 404, "another rep's enrollment");
  assert.equal((await call('POST', `/v1/enrollments/${id}/resume`, undefined, admin, OTHER_ORG)).status, 404);
  await call('POST', `/v1/enrollments/${id}/stop`, undefined, sam);
  const ended = await call('POST', `/v1/enrollments/${id}/pause`, {}, sam);
  assert.equal(ended.status, 409);
  assert.equal(ended.body.error, 'enrollment_ended');
  assert.equal((await call('POST', `/v1/enrollments/${id}/resume`, undefined, sam)).status, 409);
});

test('resume while a claimed step may still be on its way schedules nothing until it is reported sent (never twice)', async () => {
  const seq = await createSequence('In flight', sam);
  const id = await enroll(seq, 'flight@hold.example', sam);
  assert.equal(await tickFor(id), 1);
  const sendRequestId = (await call('GET', `/v1/enrollments/${id}`, undefined, sam)).body.steps[0].sendRequestId as string;
  assert.equal(await claim(sendRequestId), 200, 'the sender claimed step 1');
  await call('POST', `/v1/enrollments/${id}/pause`, {}, sam);
  const resumed = (await call('POST', `/v1/enrollments/${id}/resume`, undefined, sam)).body;
  assert.equal(resumed.state, 'active');
  assert.equal(resumed.nextDueAt, null, 'step 1 is still with the sender');
  assert.equal(await tickFor(id), 1, 'not handed over a second time');
  await producer.send({ topic: prefix + emailSentTopic.name, messages: [sentMessage(id, seq, sendRequestId, 1)] });
  const after = await eventually('step 1 recorded as sent', async () => {
    const e = (await call('GET', `/v1/enrollments/${id}`)).body;
    return e.nextStepNumber === 2 ? e : undefined;
  }, { timeoutMs: 20_000 });
  assert.equal(after.nextDueAt, new Date(clock.now().getTime() + 2 * DAY).toISOString());
});

test('POST /v1/sequences/:id/enrollments/batch: per-row created, duplicate and error without failing the batch', async () => {
  const seq = await createSequence('Batch', sam);
  const existing = await enroll(seq, 'known@batch.example', sam);
  const rows = [
    { prospect: { email: 'Flynn@Encom.example', name: 'Kevin Flynn' }, cc: [{ address: 'alan@encom.example', name: 'Alan Bradley' }] },
    { prospect: { email: 'not-an-address', name: 'Nobody' } },
    { prospect: { email: 'known@batch.example', name: null } },
    { prospect: { email: 'flynn@encom.example', name: 'Again' } },
    { prospect: { email: 'lora@encom.example' }, cc: [{ address: 'bad' }] },
    'a string',
    { prospect: { email: 'ok@encom.example' }, extra: 1 },
    { prospect: { email: 'yori@encom.example' } },
  ];
  const res = await call('POST', `/v1/sequences/${seq}/enrollments/batch`, { mailboxId: MAILBOX, from: FROM, rows }, sam);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const r = res.body.results;
  assert.deepEqual(r.map((x: { row: number; status: string }) => [x.row, x.status]), [
    [0, 'created'],
    [1, 'error'],
    [2, 'duplicate'],
    [3, 'duplicate'],
    [4, 'error'],
    [5, 'error'],
    [6, 'error'],
    [7, 'created'],
  ]);
  assert.deepEqual([res.body.created, res.body.duplicates, res.body.errors], [2, 2, 4]);
  assert.equal(r[1].field, 'prospect.email');
  assert.equal(r[2].enrollmentId, existing);
  assert.equal(r[3].duplicateOfRow, 0);
  assert.equal(r[4].field, 'cc.0.address');
  assert.equal(r[6].field, '(row)');
  const flynn = (await call('GET', `/v1/enrollments/${r[0].enrollmentId}`, undefined, sam)).body;
  assert.deepEqual(flynn.prospect, { address: 'flynn@encom.example', name: 'Kevin Flynn' });
  assert.deepEqual(flynn.cc, [{ address: 'alan@encom.example', name: 'Alan Bradley' }]);
  assert.equal(flynn.ownerUserId, SAM);
  assert.equal(flynn.mailboxId, MAILBOX);

  // The envelope is checked as a whole; rows over 1 000 and another rep's sequence are refused.
  assert.equal((await call('POST', `/v1/sequences/${seq}/enrollments/batch`, { mailboxId: 'x', from: FROM, rows }, sam)).status, 400);
  assert.equal((await call('POST', `/v1/sequences/${seq}/enrollments/batch`, { mailboxId: MAILBOX, from: FROM, rows: [] }, sam)).status, 400);
  const tooMany = Array.from({ length: 1001 }, (_, i) => ({ prospect: { email: `p${i}@many.example` } }));
  assert.equal((await call('POST', `/v1/sequences/${seq}/enrollments/batch`, { mailboxId: MAILBOX, from: FROM, rows: tooMany }, sam)).status, 400);
  assert.equal((await call('POST', `/v1/sequences/${seq}/enrollments/batch`, { mailboxId: MAILBOX, from: FROM, rows }, priya)).status, 404);

  // A prospect known to be out of office (an earlier auto-reply) starts paused, as when enrolled alone.
  const awayEnrollment = await enroll(seq, 'away@batch.example', sam);
  await producer.send({ topic: prefix + replyDetectedTopic.name, messages: [autoReplyMessage(awayEnrollment, seq, 'away@batch.example', '2027-06-01')] });
  const awayUntil = await eventually(
    'the out-of-office pause',
    async () => {
      const e = (await call('GET', `/v1/enrollments/${awayEnrollment}`)).body;
      return e.state === 'paused' ? (e.pausedUntil as string) : undefined;
    },
    { timeoutMs: 20_000 },
  );
  await call('POST', `/v1/enrollments/${awayEnrollment}/stop`, undefined, sam);
  const again = await call('POST', `/v1/sequences/${seq}/enrollments/batch`, { mailboxId: MAILBOX, from: FROM, rows: [{ prospect: { email: 'away@batch.example' } }, { prospect: { email: 'here@batch.example' } }] }, sam);
  assert.deepEqual(again.body.results.map((x: { status: string }) => x.status), ['created', 'created']);
  const [awayAgain, here] = await Promise.all(again.body.results.map(async (x: { enrollmentId: string }) => (await call('GET', `/v1/enrollments/${x.enrollmentId}`)).body));
  assert.equal(awayAgain.state, 'paused');
  assert.equal(awayAgain.pausedUntil, awayUntil, 'until the prospect is back (the return date, capped)');
  assert.equal(here.state, 'active');
  assert.equal(here.nextDueAt, clock.now().toISOString());

  // A full batch of 1 000 answers every row.
  const started = performance.now();
  const full = await call('POST', `/v1/sequences/${seq}/enrollments/batch`, { mailboxId: MAILBOX, from: FROM, rows: tooMany.slice(0, 1000) }, sam);
  const ms = Math.round(performance.now() - started);
  assert.equal(full.status, 200);
  assert.equal(full.body.created, 1000);
  console.log(`batch of 1000 rows: ${ms} ms`);
});
