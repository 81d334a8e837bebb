import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { EmailSendRequested, emailSendRequestedTopic, emailSentTopic, replyDetectedTopic } from '@telltale/contracts';
import { ManualClock } from '@telltale/db';
import { buildEvent } from '@telltale/kafka';
import { localIdentityHeaders, type StartedService } from '@telltale/runtime';
import { eventually } from '@telltale/testing';
import { startSequencerUnderTest, type SequencerUnderTest } from './sequencer-harness';
import { recordTopic, type TopicRecorder } from './topic-recorder';
import { variantIndex } from '../src/sequences/step-variants';

/**
 * A/B variants of a step (issue 15) against real PostgreSQL and Kafka: an even split decided by the
 * enrollment id, each arm's subject and body handed to the sender, and per-variant results (sent,
 * human replies, the sent emails' ids for their engagement).
 */

const ORG = randomUUID();
const OTHER_ORG = randomUUID();
const MAILBOX = randomUUID();
const REP = 'sam@telltale.test';
const prefix = `seq-variants-${randomBytes(4).toString('hex')}.`;
const clock = new ManualClock(new Date('2026-12-02T10:00:00Z'));

let harness: SequencerUnderTest;
let sequencer: StartedService;
let recorder: TopicRecorder<EmailSendRequested>;
const requested = (): EmailSendRequested[] => recorder.events;

async function api(path: string, body?: unknown, org = ORG): Promise<{ status: number; body: any }> {
  const res = await fetch(`${sequencer.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...(await localIdentityHeaders(org)) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function produce(topic: typeof emailSentTopic | typeof replyDetectedTopic, payload: unknown): Promise<void> {
  const event = buildEvent(topic, payload as never, { orgId: ORG });
  await harness.producer.send({ topic: prefix + event.topic, messages: [{ key: event.key, value: JSON.stringify(event.payload), headers: event.headers }] });
}

before(async () => {
  harness = await startSequencerUnderTest(prefix, clock, 'sequencer-variants-test');
  sequencer = harness.sequencer;
  await harness.announceMailbox({ orgId: ORG, mailboxId: MAILBOX, emailAddress: REP, changedAt: clock.now() });
  await harness.mailboxKnown(ORG, MAILBOX);
  recorder = await recordTopic(prefix, emailSendRequestedTopic, EmailSendRequested, 'variants-test');
});

after(async () => {
  await recorder?.stop();
  await harness?.stop();
});

test('the split by enrollment id is even: 10 000 ids over two, three and four variants', () => {
  const ids = Array.from({ length: 10_000 }, () => randomUUID());
  for (const arms of [2, 3, 4]) {
    const counts = new Array<number>(arms).fill(0);
    for (const id of ids) counts[variantIndex(id, arms)]! += 1;
    const expected = ids.length / arms;
    // A fair split stays within a few standard deviations (about 1 % of 10 000 here): 5 % is far outside chance.
    for (const c of counts) assert.ok(Math.abs(c - expected) < expected * 0.05, `${arms} arms: ${counts.join(' / ')}`);
    assert.equal(variantIndex(ids[0]!, arms), variantIndex(ids[0]!, arms), 'the same enrollment, the same arm');
  }
});

test('each arm gets its subject and body; results per variant count sent emails and human replies', async () => {
  const created = await api('/v1/sequences', {
    name: 'A/B',
    steps: [{ subject: 'Quick question', text: 'Plain A, {{ first_name | default: "there" }}.', variants: [{ subject: 'An idea for {{ company | default: "you" }}', text: 'Plain B.' }] }],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.deepEqual(created.body.steps[0].variants, [{ subject: 'An idea for {{ company | default: "you" }}', text: 'Plain B.' }]);
  const sequenceId = created.body.id as string;
  const batch = await api(`/v1/sequences/${sequenceId}/enrollments/batch`, {
    mailboxId: MAILBOX,
    from: { address: REP, name: null },
    rows: Array.from({ length: 24 }, (_, i) => ({ prospect: { email: `ab-${i}@prospect.example`, name: null } })),
  });
  assert.equal(batch.status, 200, JSON.stringify(batch.body));
  const ids = (batch.body.results as { enrollmentId: string }[]).map((r) => r.enrollmentId);
  await harness.dispatcher.tick();
  const handed = await eventually('24 hand-overs', () => {
    const mine = requested().filter((r) => ids.includes(r.enrollmentId!));
    return mine.length === ids.length ? mine : undefined;
  }, { timeoutMs: 20_000, intervalMs: 50 });
  const arm = (id: string) => (variantIndex(id, 2) === 0 ? 'A' : 'B');
  for (const r of handed) {
    if (arm(r.enrollmentId!) === 'A') assert.deepEqual([r.subject, r.text], ['Quick question', 'Plain A, there.']);
    else assert.deepEqual([r.subject, r.text], ['An idea for you', 'Plain B.']);
  }
  const preview = await api(`/v1/enrollments/${ids[0]}/preview`);
  assert.equal(preview.body.variant, arm(ids[0]!));

  // The sender reports every email sent; two A prospects and one B prospect answer, one B auto-replies.
  const sentEmailOf = new Map<string, string>();
  for (const r of handed) {
    const sentEmailId = randomUUID();
    sentEmailOf.set(r.enrollmentId!, sentEmailId);
    await produce(emailSentTopic, {
      sentEmailId, sendRequestId: r.sendRequestId, orgId: ORG, mailboxId: MAILBOX, enrollmentId: r.enrollmentId, sequenceId, stepNumber: 1,
      messageId: `<${randomUUID()}@telltale.test>`, providerMessageId: null, providerThreadId: null, from: { address: REP, name: null },
      to: r.to, cc: [], subject: r.subject, tracking: { opens: false, clicks: false, trackedLinks: 0 }, sentAt: clock.now().toISOString(),
    });
  }
  const a = ids.filter((id) => arm(id) === 'A');
  const b = ids.filter((id) => arm(id) === 'B');
  assert.ok(a.length >= 3 && b.length >= 2, `arms ${a.length}/${b.length}`);
  await eventually('all recorded as sent', async () => ((await api(`/v1/sequences/${sequenceId}/variants`)).body.steps[0].variants.reduce((n: number, v: { sent: number }) => n + v.sent, 0) === 24 ? true : undefined), { timeoutMs: 20_000, intervalMs: 100 });
  clock.set(new Date(clock.now().getTime() + 3_600_000));
  const answer = async (enrollmentId: string, kind: 'reply' | 'auto_reply') => {
    const replyId = randomUUID();
    const to = handed.find((r) => r.enrollmentId === enrollmentId)!.to[0]!;
    const now = clock.now().toISOString();
    await produce(replyDetectedTopic, {
      replyId, orgId: ORG, mailboxId: MAILBOX, sentEmailId: sentEmailOf.get(enrollmentId), enrollmentId, sequenceId, kind, relation: 'prospect', matchedBy: 'in_reply_to',
      from: to, inboundMessageId: null, providerMessageId: replyId, subject: 'Re: hi', snippet: null, returnDate: null, receivedAt: now, detectedAt: now,
    });
  };
  await answer(a[0]!, 'reply');
  await answer(a[1]!, 'reply');
  await answer(b[0]!, 'reply');
  await answer(b[1]!, 'auto_reply');
  const results = await eventually('three replies counted', async () => {
    const res = await api(`/v1/sequences/${sequenceId}/variants?step=1`);
    return res.body.steps[0].variants.reduce((n: number, v: { replies: number }) => n + v.replies, 0) === 3 ? res.body : undefined;
  }, { timeoutMs: 20_000, intervalMs: 100 });
  const [va, vb] = results.steps[0].variants;
  assert.deepEqual([va.variant, va.sent, va.replies], ['A', a.length, 2]);
  assert.deepEqual([vb.variant, vb.sent, vb.replies], ['B', b.length, 1]);
  assert.deepEqual(new Set(va.sentEmailIds), new Set(a.map((id) => sentEmailOf.get(id))));
  assert.equal((await api(`/v1/sequences/${sequenceId}/variants`, undefined, OTHER_ORG)).status, 404);
  assert.equal((await api(`/v1/sequences/${sequenceId}/variants?step=9`)).status, 404);
});

test('variants are checked when saved: at most three, templates parse, each changes something', async () => {
  const save = (variants: unknown[]) => api('/v1/sequences', { name: 'V', steps: [{ subject: 'S', text: 'x', variants }] });
  assert.equal((await save([{ text: 'b' }, { text: 'c' }, { text: 'd' }, { text: 'e' }])).status, 400);
  assert.equal((await save([{}])).status, 400);
  const broken = await save([{ text: 'ok' }, { html: '<p>{% if x %}</p>' }]);
  assert.equal(broken.status, 400);
  assert.match(broken.body.issues[0].message, /^step 1 variant C html, line 1: template error/);
  assert.equal(broken.body.issues[0].path, 'steps.0.variants.1.html');
});
