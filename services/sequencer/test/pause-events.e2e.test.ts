import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { enrollmentPauseChangedTopic, replyDetectedTopic, EnrollmentPauseChanged } from '@telltale/contracts';
import { ManualClock } from '@telltale/db';
import { buildEvent } from '@telltale/kafka';
import { localIdentityHeaders, type StartedService } from '@telltale/runtime';
import { eventually } from '@telltale/testing';
import { requiredEnv, startSequencerUnderTest, type SequencerUnderTest } from './sequencer-harness';

/**
 * enrollment.pause-changed.v1 (issue 13's `paused` feed item) against real PostgreSQL and Kafka:
 * every pause and resume the sequencer makes is announced once, through its outbox, with the reason:
 * by hand, the prospect's out-of-office (with the return date and the reply), a colleague's reply
 * under the company rule "pause", and the pause running out.
 */

const ORG = randomUUID();
const MAILBOX = randomUUID();
const DAY = 86_400_000;
const prefix = `seq-pauses-${randomBytes(4).toString('hex')}.`;
const clock = new ManualClock(new Date('2026-12-01T10:00:00Z'));
const received: EnrollmentPauseChanged[] = [];

let harness: SequencerUnderTest;
let sequencer: StartedService;
let consumer: Consumer;

async function api(path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${sequencer.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...(await localIdentityHeaders(ORG)) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function enrolled(name: string, email: string, onColleagueReply: 'none' | 'pause' = 'none'): Promise<{ sequenceId: string; enrollmentId: string }> {
  const sequence = await api('/v1/sequences', { name, onColleagueReply, steps: [{ subject: name, text: 'One.' }, { delayDays: 3, text: 'Two.' }] });
  assert.equal(sequence.status, 201, JSON.stringify(sequence.body));
  const enrollment = await api(`/v1/sequences/${sequence.body.id}/enrollments`, { mailboxId: MAILBOX, from: { address: 'sam@telltale.test', name: null }, prospect: { email, name: 'Kevin Flynn' } });
  assert.equal(enrollment.status, 201, JSON.stringify(enrollment.body));
  return { sequenceId: sequence.body.id, enrollmentId: enrollment.body.id };
}

async function autoReply(enrollmentId: string, sequenceId: string, from: string, returnDate: string | null, relation: 'prospect' | 'colleague' = 'prospect', kind: 'reply' | 'auto_reply' = 'auto_reply'): Promise<string> {
  const replyId = randomUUID();
  const now = clock.now().toISOString();
  const event = buildEvent(
    replyDetectedTopic,
    {
      replyId,
      orgId: ORG,
      mailboxId: MAILBOX,
      sentEmailId: randomUUID(),
      enrollmentId,
      sequenceId,
      kind,
      relation,
      matchedBy: 'in_reply_to',
      from: { address: from, name: null },
      inboundMessageId: null,
      providerMessageId: replyId,
      subject: 'Re: Hello',
      snippet: null,
      returnDate,
      receivedAt: now,
      detectedAt: now,
    },
    { orgId: ORG },
  );
  await harness.producer.send({ topic: prefix + event.topic, messages: [{ key: event.key, value: JSON.stringify(event.payload), headers: event.headers }] });
  return replyId;
}

/** The events about one enrollment, once there are `count` of them. */
const eventsOf = (enrollmentId: string, count: number) =>
  eventually(
    `${count} pause event(s) of ${enrollmentId}`,
    () => {
      const mine = received.filter((e) => e.enrollmentId === enrollmentId);
      return mine.length >= count ? mine : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 50 },
  );

before(async () => {
  harness = await startSequencerUnderTest(prefix, clock, 'sequencer-pause-events-test');
  sequencer = harness.sequencer;
  await harness.announceMailbox({ orgId: ORG, mailboxId: MAILBOX, emailAddress: 'sam@telltale.test', changedAt: clock.now() });
  await harness.mailboxKnown(ORG, MAILBOX);
  consumer = new Kafka({ clientId: 'pause-events-test', brokers: requiredEnv('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING }).consumer({ groupId: `pause-events-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: prefix + enrollmentPauseChangedTopic.name, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      received.push(EnrollmentPauseChanged.parse(JSON.parse(message.value!.toString())));
    },
  });
});

after(async () => {
  await consumer?.disconnect();
  await harness?.stop();
});

test('a pause and a resume by hand are announced with their reason, the pause’s end and the next due time', async () => {
  const { enrollmentId, sequenceId } = await enrolled('By hand', 'flynn@arcade.example');
  const until = new Date(clock.now().getTime() + 2 * DAY).toISOString();
  assert.equal((await api(`/v1/enrollments/${enrollmentId}/pause`, { until })).status, 200);
  const resumed = await api(`/v1/enrollments/${enrollmentId}/resume`, {});
  assert.equal(resumed.status, 200);
  const [paused, back] = await eventsOf(enrollmentId, 2);
  assert.deepEqual({ ...paused, changeId: undefined }, {
    changeId: undefined,
    orgId: ORG,
    enrollmentId,
    sequenceId,
    mailboxId: MAILBOX,
    prospect: { address: 'flynn@arcade.example', name: 'Kevin Flynn' },
    change: 'paused',
    reason: 'manual',
    until,
    returnDate: null,
    causeId: null,
    nextDueAt: null,
    occurredAt: clock.now().toISOString(),
  });
  assert.equal(back!.change, 'resumed');
  assert.equal(back!.reason, 'manual');
  assert.equal(back!.nextDueAt, resumed.body.nextDueAt);
  assert.equal(back!.until, null);
  // Resuming what is not paused changes nothing, and says nothing.
  assert.equal((await api(`/v1/enrollments/${enrollmentId}/resume`, {})).status, 200);
  assert.equal(received.filter((e) => e.enrollmentId === enrollmentId).length, 2);
});

test('an out-of-office pauses with the return date and the reply as its cause; the pause running out resumes it', async () => {
  const { enrollmentId, sequenceId } = await enrolled('Away', 'lora@encom.example');
  const replyId = await autoReply(enrollmentId, sequenceId, 'lora@encom.example', '2026-12-14');
  const [paused] = await eventsOf(enrollmentId, 1);
  assert.equal(paused!.change, 'paused');
  assert.equal(paused!.reason, 'out_of_office');
  assert.equal(paused!.returnDate, '2026-12-14');
  assert.equal(paused!.until, '2026-12-14T00:00:00.000Z');
  assert.equal(paused!.causeId, replyId);

  clock.set(new Date('2026-12-14T00:00:01Z'));
  await harness.dispatcher.tick();
  const [, back] = await eventsOf(enrollmentId, 2);
  assert.equal(back!.change, 'resumed');
  assert.equal(back!.reason, 'pause_over');
});

test('a colleague’s reply under the company rule "pause" pauses the other enrollments at the company', async () => {
  const first = await enrolled('Company one', 'gibbs@dillinger.example', 'pause');
  const second = await enrolled('Company two', 'dumont@dillinger.example', 'pause');
  await autoReply(first.enrollmentId, first.sequenceId, 'gibbs@dillinger.example', null, 'prospect', 'reply');
  const [paused] = await eventsOf(second.enrollmentId, 1);
  assert.equal(paused!.change, 'paused');
  assert.equal(paused!.reason, 'company_replied');
  assert.equal(received.filter((e) => e.enrollmentId === first.enrollmentId).length, 0, 'the one who replied is stopped, not paused');
});
