import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { emailSendFailedTopic, emailSentTopic, replyDetectedTopic, type EmailSendFailed, type ReplyDetected } from '@telltale/contracts';
import { ManualClock } from '@telltale/db';
import { buildEvent } from '@telltale/kafka';
import { localIdentityHeaders, type StartedService } from '@telltale/runtime';
import { eventually } from '@telltale/testing';
import type { StepDispatcher } from '../src/scheduling/step-dispatcher';
import { startSequencerUnderTest, type SequencerUnderTest } from './sequencer-harness';


/**
 * The sequencer's side of issue 5 against real PostgreSQL and Kafka: out-of-office pauses (with and
 * without a return date, extended, stopped by a human reply, resumed with the full step delay), the
 * company rule (stop / pause / none, never for free-mail domains) and the explain endpoint.
 */

const ORG = randomUUID();
const MAILBOX = randomUUID();
const REP = 'sam@telltale.test';
const DAY = 86_400_000;
const prefix = `seq-replies-${randomBytes(4).toString('hex')}.`;
const clock = new ManualClock(new Date('2026-11-27T10:00:00Z'));

let harness: SequencerUnderTest;
let sequencer: StartedService;
let producer: Producer;
let dispatcher: StepDispatcher;

async function api(path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${sequencer.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...(await localIdentityHeaders(ORG)) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  return eventually(what, probe, { timeoutMs: 20_000, intervalMs: 50 });
}

async function enrollment(id: string, predicate: (e: any) => boolean, what: string): Promise<any> {
  return until(what, async () => {
    const e = await api(`/v1/enrollments/${id}`);
    return predicate(e.body) ? e.body : undefined;
  });
}

async function produce(topic: typeof replyDetectedTopic | typeof emailSentTopic | typeof emailSendFailedTopic, payload: unknown): Promise<void> {
  const event = buildEvent(topic, payload as never, { orgId: ORG });
  await producer.send({ topic: prefix + event.topic, messages: [{ key: event.key, value: JSON.stringify(event.payload), headers: event.headers }] });
}

async function sequence(name: string, onColleagueReply?: 'none' | 'stop' | 'pause'): Promise<string> {
  const created = await api('/v1/sequences', {
    name,
    ...(onColleagueReply ? { onColleagueReply } : {}),
    steps: [{ subject: name, text: 'One.' }, { delayDays: 3, text: 'Two.' }, { delayDays: 2, text: 'Three.' }],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.onColleagueReply, onColleagueReply ?? 'none');
  return created.body.id as string;
}

async function enroll(sequenceId: string, email: string): Promise<string> {
  const enrolled = await api(`/v1/sequences/${sequenceId}/enrollments`, { mailboxId: MAILBOX, from: { address: REP, name: null }, prospect: { email, name: null } });
  assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
  return enrolled.body.id as string;
}

/** The scheduler hands step 1 over, and we play the sender: it went out now. */
async function step1Sent(enrollmentId: string, sequenceId: string, to: string): Promise<void> {
  assert.equal(await dispatcher.tick(), 1);
  const handedOver = (await api(`/v1/enrollments/${enrollmentId}`)).body;
  assert.equal(handedOver.steps.length, 1);
  await produce(emailSentTopic, {
    sentEmailId: randomUUID(),
    sendRequestId: handedOver.steps[0].sendRequestId,
    orgId: ORG,
    mailboxId: MAILBOX,
    enrollmentId,
    sequenceId,
    stepNumber: 1,
    messageId: `<${randomUUID()}@telltale.test>`,
    providerMessageId: null,
    providerThreadId: null,
    from: { address: REP, name: null },
    to: [{ address: to, name: null }],
    cc: [],
    subject: 'Hello',
    tracking: { opens: false, clicks: false, trackedLinks: 0 },
    sentAt: clock.now().toISOString(),
  });
  await enrollment(enrollmentId, (e) => e.nextStepNumber === 2, 'step 1 to be recorded');
}

async function reply(enrollmentId: string | null, sequenceId: string | null, from: string, over: Partial<ReplyDetected> = {}): Promise<string> {
  const replyId = randomUUID();
  const now = clock.now().toISOString();
  await produce(replyDetectedTopic, {
    replyId,
    orgId: ORG,
    mailboxId: MAILBOX,
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
  });
  return replyId;
}

const dateIn = (days: number) => new Date(clock.now().getTime() + days * DAY).toISOString().slice(0, 10);

before(async () => {
  harness = await startSequencerUnderTest(prefix, clock, 'sequencer-reply-effects-test');
  ({ sequencer, dispatcher, producer } = harness);
  // The rep's mailbox is connected (mailbox-sync's event), so enrolments may name it.
  await harness.announceMailbox({ orgId: ORG, mailboxId: MAILBOX, emailAddress: REP, changedAt: clock.now() });
  await harness.mailboxKnown(ORG, MAILBOX);
});

after(async () => {
  await harness?.stop();
});

test('out-of-office: paused until the return date, extended by a later one, resumed with the full step delay', async () => {
  const seq = await sequence('Vacation');
  const id = await enroll(seq, 'flynn@arcade.example');
  await step1Sent(id, seq, 'flynn@arcade.example');

  const returnDate = dateIn(10);
  await reply(id, seq, 'flynn@arcade.example', { kind: 'auto_reply', returnDate });
  const paused = await enrollment(id, (e) => e.state === 'paused', 'the pause');
  assert.equal(paused.pausedUntil, `${returnDate}T00:00:00.000Z`);
  assert.equal(paused.nextDueAt, null);

  // Gmail answers only every few days: a later auto-reply with a later date extends the pause...
  const laterDate = dateIn(14);
  await reply(id, seq, 'flynn@arcade.example', { kind: 'auto_reply', returnDate: laterDate });
  await enrollment(id, (e) => e.pausedUntil === `${laterDate}T00:00:00.000Z`, 'the pause to be extended');
  // ...an earlier one never shortens it, and says why.
  await reply(id, seq, 'flynn@arcade.example', { kind: 'auto_reply', returnDate: dateIn(5) });
  const explained = await until('the earlier auto-reply to be recorded', async () => {
    const e = await api(`/v1/enrollments/${id}/explain`);
    return e.body.replies.length === 3 ? e.body : undefined;
  });
  assert.equal(explained.state, 'paused');
  assert.deepEqual(explained.replies.map((r: { effect: string }) => r.effect), ['paused', 'pause_extended', 'none']);
  assert.match(explained.answer, new RegExp(`^Not stopped, paused until ${laterDate}T00:00:00.000Z: the prospect is out of office`));

  // Nothing goes out while paused, even long after step 2 was first due.
  clock.advance(5 * DAY);
  assert.equal(await dispatcher.tick(), 0);

  // Back: step 2 waits its full 3 days after the return date, then goes out.
  clock.set(new Date(`${laterDate}T08:00:00Z`));
  assert.equal(await dispatcher.tick(), 0);
  const resumed = await enrollment(id, (e) => e.state === 'active', 'the resume');
  assert.equal(resumed.nextStepNumber, 2);
  assert.equal(resumed.nextDueAt, new Date(new Date(`${laterDate}T00:00:00Z`).getTime() + 3 * DAY).toISOString());
  assert.deepEqual(
    resumed.history.map((h: { transition: string }) => h.transition),
    ['enrolled', 'step-dispatched', 'step-sent', 'pause', 'pause', 'resume'],
  );
  clock.advance(3 * DAY);
  assert.equal(await dispatcher.tick(), 1, 'step 2 goes out after the full delay');
});

test('out-of-office without a return date pauses for the default; a human reply during the pause stops', async () => {
  const seq = await sequence('No date');
  const id = await enroll(seq, 'lora@encom.example');
  await step1Sent(id, seq, 'lora@encom.example');
  await reply(id, seq, 'lora@encom.example', { kind: 'auto_reply', returnDate: null });
  const paused = await enrollment(id, (e) => e.state === 'paused', 'the pause');
  assert.equal(paused.pausedUntil, new Date(clock.now().getTime() + 7 * DAY).toISOString(), 'the 7-day default');

  const replyId = await reply(id, seq, 'lora@encom.example');
  const stopped = await enrollment(id, (e) => e.state === 'stopped', 'the stop');
  assert.equal(stopped.stopReason, 'replied');
  assert.equal(stopped.pausedUntil, null);
  const explained = (await api(`/v1/enrollments/${id}/explain`)).body;
  assert.equal(explained.stopped, true);
  assert.equal(explained.stopCauseId, replyId);
  assert.match(explained.answer, /^Stopped at .* because a human reply was detected \(a human reply from the prospect \(lora@encom.example\) stops the campaign\); 1 of 3 steps sent, none claimed for sending after the stop\.$/);
  clock.advance(30 * DAY);
  assert.equal(await dispatcher.tick(), 0, 'a stop is never resumed');
});

test("an auto-reply from someone on CC does not pause the prospect's campaign, and explain says so", async () => {
  const seq = await sequence('CC away');
  const id = await enroll(seq, 'dumont@encom.example');
  await step1Sent(id, seq, 'dumont@encom.example');
  await reply(id, seq, 'alan@encom.example', { kind: 'auto_reply', relation: 'cc', returnDate: dateIn(3) });
  const explained = await until('the auto-reply to be recorded', async () => {
    const e = await api(`/v1/enrollments/${id}/explain`);
    return e.body.replies.length === 1 ? e.body : undefined;
  });
  assert.equal(explained.state, 'active');
  assert.match(explained.answer, /^Not stopped: still running, 1 of 3 steps sent, step 2 due at .*1 detected reply did not stop it: an auto-reply from the cc \(alan@encom.example\) does not pause/);
});

test("the prospect's out-of-office is remembered per person: other sequences pause, a new enrollment starts paused, a reply ends it", async () => {
  const first = await sequence('Person first');
  const x = await enroll(first, 'gibbs@encom.example');
  await step1Sent(x, first, 'gibbs@encom.example');
  const second = await sequence('Person second');
  const y = await enroll(second, 'Gibbs@Encom.example');

  const returnDate = dateIn(6);
  await reply(x, first, 'gibbs@encom.example', { kind: 'auto_reply', returnDate });
  await enrollment(x, (e) => e.state === 'paused', 'the answered enrollment to pause');
  const other = await enrollment(y, (e) => e.state === 'paused', "the person's other enrollment to pause");
  assert.equal(other.pausedUntil, `${returnDate}T00:00:00.000Z`);

  const third = await sequence('Person third');
  const z = await enroll(third, 'gibbs@encom.example');
  const startedPaused = (await api(`/v1/enrollments/${z}`)).body;
  assert.equal(startedPaused.state, 'paused', 'enrolled while known to be away');
  assert.equal(startedPaused.pausedUntil, `${returnDate}T00:00:00.000Z`);
  assert.match((await api(`/v1/enrollments/${z}/explain`)).body.answer, /already out of office when enrolled/);

  await reply(x, first, 'gibbs@encom.example');
  await enrollment(x, (e) => e.state === 'stopped', 'the human reply to stop');
  const fourth = await sequence('Person fourth');
  const w = await enroll(fourth, 'gibbs@encom.example');
  assert.equal((await api(`/v1/enrollments/${w}`)).body.state, 'active', 'a person who replied is back');
});

test("a rate-limited step is retried once the provider allows it, not before; without a hint, after the sequencer's own delay", async () => {
  const seq = await sequence('Rate limited');
  const id = await enroll(seq, 'alan@encom.example');
  await dispatcher.tick();
  const first = await enrollment(id, (e) => e.steps.length === 1, 'step 1 handed over');
  const failed = (sendRequestId: string, over: Partial<EmailSendFailed>): EmailSendFailed => ({
    sendRequestId,
    orgId: ORG,
    mailboxId: MAILBOX,
    enrollmentId: id,
    stepNumber: 1,
    code: 'RATE_LIMITED',
    reason: 'rate limited',
    failedAt: clock.now().toISOString(),
    ...over,
  });
  // A daily sending cap: the provider says sending resumes in 6 hours.
  const retryNotBefore = new Date(clock.now().getTime() + 6 * 3_600_000).toISOString();
  await produce(emailSendFailedTopic, failed(first.steps[0].sendRequestId, { reason: 'daily user sending limit exceeded', retryNotBefore }));
  const capped = await enrollment(id, (e) => e.nextDueAt !== null, 'the step to be rescheduled');
  assert.equal(capped.nextDueAt, retryNotBefore);
  clock.advance(3_600_000);
  await dispatcher.tick();
  assert.equal((await api(`/v1/enrollments/${id}`)).body.steps.length, 1, 'not tried again before the provider allows');
  clock.set(new Date(retryNotBefore));
  await dispatcher.tick();
  const second = await enrollment(id, (e) => e.steps.length === 2, 'step 1 handed over again');
  assert.equal(second.steps[1].stepNumber, 1);

  // No hint from the provider: SEQUENCER_RETRY_AFTER_SECONDS (300 s by default).
  const failedAt = clock.now();
  await produce(emailSendFailedTopic, failed(second.steps[1].sendRequestId, {}));
  const retried = await enrollment(id, (e) => e.nextDueAt !== null, 'the step to be rescheduled again');
  assert.equal(retried.nextDueAt, new Date(failedAt.getTime() + 300_000).toISOString());
});

test('company rule: a reply from one person at a company stops or pauses the others per sequence, never across free-mail', async () => {
  const none = await sequence('Company none');
  const stop = await sequence('Company stop', 'stop');
  const pause = await sequence('Company pause', 'pause');
  const replier = await enroll(none, 'kevin@flynns.example');
  const stopMe = await enroll(stop, 'ram@flynns.example');
  const pauseMe = await enroll(pause, 'yori@flynns.example');
  const leaveMe = await enroll(none, 'crom@flynns.example');
  const elsewhere = await enroll(stop, 'walter@dillinger.example');
  const gmailReplier = await enroll(stop, 'user1@gmail.com');
  const gmailOther = await enroll(stop, 'user2@gmail.com');

  const replyId = await reply(replier, none, 'kevin@flynns.example');
  await enrollment(replier, (e) => e.state === 'stopped', 'the replier to stop');
  const stopped = await enrollment(stopMe, (e) => e.state === 'stopped', 'the company stop');
  assert.equal(stopped.stopReason, 'company_replied');
  const paused = await enrollment(pauseMe, (e) => e.state === 'paused', 'the company pause');
  assert.equal(paused.pausedUntil, new Date(clock.now().getTime() + 14 * DAY).toISOString());
  assert.equal((await api(`/v1/enrollments/${leaveMe}`)).body.state, 'active', "the sequence's rule is none");
  assert.equal((await api(`/v1/enrollments/${elsewhere}`)).body.state, 'active', 'another company');
  const why = (await api(`/v1/enrollments/${stopMe}/explain`)).body;
  assert.equal(why.stopCauseId, replyId);
  assert.match(why.answer, /because someone else at the prospect's company replied and the sequence stops on that \(kevin@flynns.example at flynns.example replied and the sequence's company rule is "stop"\)/);

  await reply(gmailReplier, stop, 'user1@gmail.com');
  await enrollment(gmailReplier, (e) => e.state === 'stopped', 'the gmail replier to stop');
  // The same reply was processed (its own enrollment stopped), so the free-mail neighbour was considered and left alone.
  assert.equal((await api(`/v1/enrollments/${gmailOther}`)).body.state, 'active', 'two gmail.com users are not colleagues');
});
