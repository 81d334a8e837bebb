import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { EmailSendRequested, EnrollmentPauseChanged, emailSendRequestedTopic, enrollmentPauseChangedTopic } from '@telltale/contracts';
import { ManualClock } from '@telltale/db';
import { localIdentityHeaders, type StartedService } from '@telltale/runtime';
import { eventually } from '@telltale/testing';
import { startSequencerUnderTest, type SequencerUnderTest } from './sequencer-harness';
import { recordTopic, type TopicRecorder } from './topic-recorder';

/**
 * Step templates (issue 15) against real PostgreSQL and Kafka: variables from the enrollment with
 * fallbacks, HTML-escaped in HTML bodies; a variable with no value and no fallback is never sent (the
 * enrollment pauses, announced with the variable); a template that does not parse is refused when
 * the sequence is saved, naming the step and the line; the preview of a step for one enrollment.
 */

const ORG = randomUUID();
const OTHER_ORG = randomUUID();
const MAILBOX = randomUUID();
const prefix = `seq-templates-${randomBytes(4).toString('hex')}.`;
const clock = new ManualClock(new Date('2026-12-01T10:00:00Z'));

let harness: SequencerUnderTest;
let sequencer: StartedService;
let sends: TopicRecorder<EmailSendRequested>;
let pauseEvents: TopicRecorder<EnrollmentPauseChanged>;

async function api(path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST', org = ORG): Promise<{ status: number; body: any }> {
  const res = await fetch(`${sequencer.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(await localIdentityHeaders(org)) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function sequenceOf(steps: unknown[]): Promise<string> {
  const created = await api('/v1/sequences', { name: `Templates ${randomUUID()}`, steps });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.id as string;
}

async function enroll(sequenceId: string, prospect: { email: string; name: string | null }, variables?: Record<string, string>): Promise<string> {
  const enrolled = await api(`/v1/sequences/${sequenceId}/enrollments`, { mailboxId: MAILBOX, from: { address: 'sam@telltale.test', name: null }, prospect, ...(variables ? { variables } : {}) });
  assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
  return enrolled.body.id as string;
}

const handedOver = (enrollmentId: string) =>
  eventually(`the send request of ${enrollmentId}`, () => sends.events.find((r) => r.enrollmentId === enrollmentId), { timeoutMs: 20_000, intervalMs: 50 });

before(async () => {
  harness = await startSequencerUnderTest(prefix, clock, 'sequencer-templates-test');
  sequencer = harness.sequencer;
  await harness.announceMailbox({ orgId: ORG, mailboxId: MAILBOX, emailAddress: 'sam@telltale.test', changedAt: clock.now() });
  await harness.mailboxKnown(ORG, MAILBOX);
  sends = await recordTopic(prefix, emailSendRequestedTopic, EmailSendRequested, 'templates-test-sends');
  pauseEvents = await recordTopic(prefix, enrollmentPauseChangedTopic, EnrollmentPauseChanged, 'templates-test-pauses');
});

after(async () => {
  await sends?.stop();
  await pauseEvents?.stop();
  await harness?.stop();
});

test('variables with fallbacks are rendered into the send request, escaped in HTML and not in text', async () => {
  const sequenceId = await sequenceOf([
    {
      subject: 'Hello {{ first_name | default: "there" }} at {{ company }}',
      html: '<p>Hi {{ first_name | default: "there" }},</p><p>{{ company }} and {{ title | default: "your team" }}: {{ deal_size }}</p>',
      text: 'Hi {{ first_name | default: "there" }}, {{ company }} ({{ last_name }})',
    },
  ]);
  const named = await enroll(sequenceId, { email: 'kevin@encom.example', name: 'Kevin Flynn' }, { company: 'ENCOM <R&D>', deal_size: '10k' });
  const unnamed = await enroll(sequenceId, { email: 'info@dillinger.example', name: null }, { company: 'Dillinger', deal_size: '5k', last_name: 'Dillinger', first_name: '  ' });
  await harness.dispatcher.tick();
  const first = await handedOver(named);
  assert.equal(first.subject, 'Hello Kevin at ENCOM <R&D>');
  assert.equal(first.html, '<p>Hi Kevin,</p><p>ENCOM &lt;R&amp;D&gt; and your team: 10k</p>');
  assert.equal(first.text, 'Hi Kevin, ENCOM <R&D> (Flynn)');
  const second = await handedOver(unnamed);
  // A blank value is no value: the fallback.
  assert.equal(second.subject, 'Hello there at Dillinger');
  assert.equal(second.text, 'Hi there, Dillinger (Dillinger)');
});

test('a variable with no value and no fallback is not sent: the enrollment pauses, naming the variable, and says so', async () => {
  const sequenceId = await sequenceOf([{ subject: 'Quick question', text: 'Hi {{ first_name | default: "there" }},\nhow is {{ company }} doing?' }]);
  const enrollmentId = await enroll(sequenceId, { email: 'alan@encom.example', name: 'Alan Bradley' });
  await harness.dispatcher.tick();
  const [paused] = await eventually('the pause event', () => {
    const mine = pauseEvents.events.filter((p) => p.enrollmentId === enrollmentId);
    return mine.length > 0 ? mine : undefined;
  }, { timeoutMs: 20_000, intervalMs: 50 });
  assert.equal(paused!.change, 'paused');
  assert.equal(paused!.reason, 'manual');
  assert.equal(paused!.until, null);
  assert.deepEqual(paused!.reasonDetail, {
    code: 'template_variable_missing',
    stepNumber: 1,
    variable: 'company',
    message: `"company" has no value for this prospect and no fallback (the step's text)`,
  });
  const view = await api(`/v1/enrollments/${enrollmentId}`);
  assert.equal(view.body.state, 'paused');
  assert.equal(view.body.steps.length, 0, 'nothing was handed to the sender');
  const explained = await api(`/v1/enrollments/${enrollmentId}/explain`);
  assert.match(explained.body.answer, /step 1 was not sent because "company" has no value/);
  assert.equal(sends.events.some((r) => r.enrollmentId === enrollmentId), false);
  // The template fixed (a fallback) and the enrollment resumed, the step goes out.
  const fixed = await api(`/v1/sequences/${sequenceId}`, { steps: [{ subject: 'Quick question', text: 'Hi {{ first_name }},\nhow is {{ company | default: "your company" }} doing?' }] }, 'PATCH');
  assert.equal(fixed.status, 200, JSON.stringify(fixed.body));
  assert.equal((await api(`/v1/enrollments/${enrollmentId}/resume`, {})).status, 200);
  await harness.dispatcher.tick();
  assert.equal((await handedOver(enrollmentId)).text, 'Hi Alan,\nhow is your company doing?');
});

test('a template that does not parse is refused when the sequence is saved, naming the step, the field and the line', async () => {
  const refused = await api('/v1/sequences', {
    name: 'Broken',
    steps: [{ subject: 'Fine {{ first_name }}', text: 'One' }, { delayDays: 2, html: '<p>Hi</p>\n<p>{% if company %}{{ company }}</p>' }],
  });
  assert.equal(refused.status, 400);
  assert.equal(refused.body.error, 'invalid_request');
  const issue = refused.body.issues.find((i: { path: string }) => i.path === 'steps.1.html');
  assert.ok(issue, JSON.stringify(refused.body));
  assert.match(issue.message, /^step 2 html, line 2: template error: tag \{% if company %\} not closed/);
  // Includes and unknown filters are refused too (no file access, nothing silently skipped).
  const include = await api('/v1/sequences', { name: 'Include', steps: [{ subject: 'S', text: '{% include "secrets" %}' }] });
  assert.equal(include.status, 400);
  assert.match(include.body.issues[0].message, /step 1 text, line 1: template error: tag "include" not found/);
  const filter = await api('/v1/sequences', { name: 'Filter', steps: [{ subject: '{{ first_name | shout }}', text: 'x' }] });
  assert.equal(filter.status, 400);
  assert.match(filter.body.issues[0].message, /step 1 subject, line 1: template error: undefined filter: shout/);
  // An edit is checked the same way.
  const sequenceId = await sequenceOf([{ subject: 'Fine', text: 'One' }]);
  const edit = await api(`/v1/sequences/${sequenceId}`, { steps: [{ subject: 'Fine', text: '{{ company ' }] }, 'PATCH');
  assert.equal(edit.status, 400);
  assert.equal(edit.body.issues[0].path, 'steps.0.text');
});

test('the preview of a step renders it for the enrollment, or says which variable is missing; another organisation gets 404', async () => {
  const sequenceId = await sequenceOf([
    { subject: 'For {{ company }}', html: '<b>{{ first_name | default: "there" }}</b> {{ title }}' },
    { delayDays: 3, text: 'Following up, {{ first_name }}: {{ nickname }}' },
  ]);
  const enrollmentId = await enroll(sequenceId, { email: 'roy@encom.example', name: 'Roy Kleinberg' }, { company: 'ENCOM', title: 'CTO & <founder>' });
  const one = await api(`/v1/enrollments/${enrollmentId}/preview`);
  assert.equal(one.status, 200);
  assert.deepEqual(one.body, {
    enrollmentId,
    stepNumber: 1,
    variant: 'A',
    variables: { email: 'roy@encom.example', first_name: 'Roy', last_name: 'Kleinberg', company: 'ENCOM', title: 'CTO & <founder>' },
    ok: true,
    subject: 'For ENCOM',
    inThread: false,
    html: '<b>Roy</b> CTO &amp; &lt;founder&gt;',
    text: null,
  });
  const two = await api(`/v1/enrollments/${enrollmentId}/preview?step=2`);
  assert.equal(two.status, 200);
  assert.equal(two.body.ok, false);
  assert.equal(two.body.problem, 'missing_variable');
  assert.equal(two.body.variable, 'nickname');
  assert.equal((await api(`/v1/enrollments/${enrollmentId}/preview?step=3`)).body.error, 'step_not_found');
  assert.equal((await api(`/v1/enrollments/${enrollmentId}/preview?step=0`)).status, 400);
  assert.equal((await api(`/v1/enrollments/${enrollmentId}/preview?step=1`, undefined, 'GET', OTHER_ORG)).status, 404);
});

test('a batch enrolment carries each row’s variables and time zone; a bad variable is that row’s error', async () => {
  const sequenceId = await sequenceOf([{ subject: 'For {{ company }}', text: 'Hi {{ first_name | default: "there" }}' }]);
  const batch = await api(`/v1/sequences/${sequenceId}/enrollments/batch`, {
    mailboxId: MAILBOX,
    from: { address: 'sam@telltale.test', name: null },
    rows: [
      { prospect: { email: 'ram@encom.example', name: 'Ram' }, variables: { company: 'ENCOM' }, timeZone: 'Europe/Berlin' },
      { prospect: { email: 'yori@encom.example', name: null }, variables: { 'not a name': 'x' } },
    ],
  });
  assert.equal(batch.status, 200, JSON.stringify(batch.body));
  assert.deepEqual(batch.body.results.map((r: { status: string }) => r.status), ['created', 'error']);
  assert.match(batch.body.results[1].field, /^variables/);
  const id = batch.body.results[0].enrollmentId as string;
  const view = await api(`/v1/enrollments/${id}`);
  assert.deepEqual([view.body.variables, view.body.timeZone], [{ company: 'ENCOM' }, 'Europe/Berlin']);
  const preview = await api(`/v1/enrollments/${id}/preview`);
  assert.deepEqual([preview.body.subject, preview.body.text], ['For ENCOM', 'Hi Ram']);
});

test('variables have limits: names are identifiers, at most 50, values at most 1 000 characters', async () => {
  const sequenceId = await sequenceOf([{ subject: 'S', text: 'x' }]);
  const enrol = (variables: Record<string, string>) =>
    api(`/v1/sequences/${sequenceId}/enrollments`, { mailboxId: MAILBOX, from: { address: 'sam@telltale.test', name: null }, prospect: { email: `p${randomUUID()}@x.example`, name: null }, variables });
  assert.equal((await enrol({ 'bad name': 'x' })).status, 400);
  assert.equal((await enrol({ note: 'x'.repeat(1001) })).status, 400);
  assert.equal((await enrol(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`v${i}`, 'x'])))).status, 400);
  assert.equal((await enrol({ note: 'x'.repeat(1000) })).status, 201);
});
