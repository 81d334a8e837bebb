import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import nodemailer from 'nodemailer';
import { simpleParser } from 'mailparser';
import { Client } from 'pg';
import { allTopics, campaignStopTopic, emailSendRequestedTopic, emailSentTopic, replyDetectedTopic, trackingEngagementTopic } from '@telltale/contracts';
import { ManualClock } from '@telltale/db';
import { StepDispatcher } from '@telltale/sequencer';
import { createTestDatabase, hostileMessages, startSalesforceSandbox, type SalesforceSandbox } from '@telltale/testing';
import { callApi, enrollWhenMailboxKnown, eventually, readInbox, requiredEnv, sandboxMailbox, servicesOf, startTelltaleSystem, TopicRecorder, type TelltaleSystem } from '../src';

/**
 * The journey the product exists for (issue 2): a 2-step sequence, step 1 sent over SMTP with a
 * tracked pixel and link, an open and a click recorded, a reply from the prospect's CC stops the
 * campaign, step 2 never goes out, and Salesforce gets exactly one Task per email and reply.
 */

const ORG = randomUUID();
const REP = 'sam@telltale.test';
const PROSPECT = 'flynn@flynnsarcade.com';
const CC = 'alan@encom.com';
const LINK = 'https://www.encom.com/flynn-lives?utm_source=email&ref=a&b=c';
const prefix = `journey-${randomBytes(4).toString('hex')}.`;

let dbDrop: () => Promise<void>;
let databaseUrl: string;
let salesforce: SalesforceSandbox;
let system: TelltaleSystem;
let recorder: TopicRecorder;
let kafka: Kafka;
const clock = new ManualClock(new Date());
let flynnContactId: string;
const http = (base: string, path: string, init: { method?: string; body?: unknown } = {}) => callApi(base, path, ORG, init);

async function processedCount(service: string, consumer: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${service}.processed_event WHERE consumer = $1`, [consumer]);
    return rows[0].n as number;
  } finally {
    await client.end();
  }
}

before(async () => {
  const db = await createTestDatabase(requiredEnv('DATABASE_URL'));
  databaseUrl = db.url;
  dbDrop = db.drop;
  salesforce = await startSalesforceSandbox();
  flynnContactId = salesforce.seed('Contact', { FirstName: 'Kevin', LastName: 'Flynn', Email: PROSPECT });
  kafka = new Kafka({ clientId: 'journey-test', brokers: requiredEnv('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING });
  system = await startTelltaleSystem({
    databaseUrl,
    kafkaBrokers: requiredEnv('KAFKA_BROKERS'),
    topicPrefix: prefix,
    clock,
    salesforce: { loginUrl: salesforce.url, clientId: salesforce.clientId, clientSecret: salesforce.clientSecret, username: 'rep@telltale.sandbox', password: 'telltale-sandbox-password' },
  });
  // Every topic the started services produce or consume (a topic of a service this test does not
  // start, e.g. the content service's, does not exist on the broker: subscribing to it would fail).
  const started = new Set(servicesOf(system).map(([name]) => name));
  const topics = allTopics.filter((t) => [...t.producers, ...t.consumers].some((service) => started.has(service)));
  recorder = new TopicRecorder(kafka, topics.map((t) => prefix + t.name));
  await recorder.start();
});

after(async () => {
  await recorder?.stop();
  await system?.stop();
  await salesforce?.stop();
  await dbDrop?.();
});

test('one tracked email: send, open, click, CC reply stops the campaign, Salesforce logs once', async () => {
  // 1. Connect the rep's sandbox mailbox, create a 2-step sequence, enroll Flynn with Alan on CC.
  const mailbox = await http(system.mailboxSync.url, '/v1/mailboxes', { body: sandboxMailbox(REP) });
  assert.equal(mailbox.status, 201, JSON.stringify(mailbox.body));
  assert.equal(mailbox.body.state, 'connected');
  assert.equal(JSON.stringify(mailbox.body).includes('sandbox-password'), false, 'the API never shows the password');

  const sequence = await http(system.sequencer.url, '/v1/sequences', {
    method: 'POST',
    body: {
      name: 'Arcade follow-up',
      steps: [
        { subject: 'The Grid', html: `<html><body><p>Hi Flynn,</p><p>See <a href="${LINK.replace(/&/g, '&amp;')}">the plan</a>.</p><p><a href="mailto:${REP}">Write me</a></p></body></html>` },
        { delayDays: 3, html: '<p>Just bumping this up.</p>' },
      ],
    },
  });
  assert.equal(sequence.status, 201, JSON.stringify(sequence.body));
  const enrollment = await enrollWhenMailboxKnown(system.sequencer.url, sequence.body.id, ORG, {
    mailboxId: mailbox.body.id,
    from: { address: REP, name: 'Sam Flynn' },
    prospect: { email: PROSPECT, name: 'Kevin Flynn' },
    cc: [{ address: CC, name: 'Alan Bradley' }],
  });
  assert.equal(enrollment.status, 201, JSON.stringify(enrollment.body));
  const enrollmentId: string = enrollment.body.id;

  // 2. The scheduler hands step 1 to the sender, which sends it over SMTP and emits email.sent.v1.
  const dispatcher = system.sequencer.app.get(StepDispatcher);
  assert.equal(await dispatcher.tick(), 1);
  const requested = await recorder.waitFor(prefix + emailSendRequestedTopic.name);
  assert.equal(requested.key, enrollmentId, 'send requests are keyed by enrollment');
  const sent = await recorder.waitFor(prefix + emailSentTopic.name);
  const sentPayload = sent.value as { sentEmailId: string; messageId: string; to: { address: string }[]; cc: { address: string }[] };
  assert.match(sentPayload.messageId, /^<[^@]+@telltale\.test>$/);
  for (const header of ['event-id', 'event-type', 'occurred-at', 'org-id']) assert.ok(sent.headers[header], `header ${header}`);
  assert.equal(sent.headers['org-id'], ORG);

  const delivered = await eventually('step 1 in Flynn\'s inbox', async () => (await readInbox(PROSPECT))[0]);
  const parsed = await simpleParser(delivered.source);
  assert.equal(parsed.messageId, sentPayload.messageId);
  assert.equal(parsed.subject, 'The Grid');
  const html = String(parsed.html);
  const pixelUrl = /<img[^>]+src="([^"]+\/o\/[^"]+)"/.exec(html)?.[1];
  const clickUrl = /href="([^"]+\/c\/[^"]+)"/.exec(html)?.[1];
  assert.ok(pixelUrl, 'the email carries an open pixel');
  assert.ok(clickUrl, 'the link was rewritten');
  assert.ok(html.indexOf(pixelUrl!) < html.indexOf('Hi Flynn'), 'the pixel sits near the top of the body');
  assert.ok(html.includes(`mailto:${REP}`), 'mailto links are left alone');
  assert.ok(String(parsed.text).includes('www.encom.com/flynn-lives'), 'the plain-text part keeps the original link');
  assert.equal((await readInbox(CC)).length, 1, 'Alan got the email on CC');

  // 3. Forged and altered tokens record nothing and never redirect.
  const token = clickUrl!.slice(clickUrl!.lastIndexOf('/') + 1);
  const flipped = token.slice(0, -3) + (token.at(-3) === 'A' ? 'B' : 'A') + token.slice(-2);
  const forgedClick = await fetch(`${system.tracker.url}/c/${flipped}`, { redirect: 'manual' });
  assert.equal(forgedClick.status, 404);
  assert.equal(forgedClick.headers.get('location'), null);
  const openRedirect = await fetch(`${system.tracker.url}/c/${flipped}?url=https://evil.example`, { redirect: 'manual' });
  assert.equal(openRedirect.status, 404);
  const forgedPixel = await fetch(`${system.tracker.url}/o/not-a-token`);
  assert.equal(forgedPixel.status, 200, 'the pixel answers even for a garbled token');
  assert.equal(forgedPixel.headers.get('content-type'), 'image/gif');

  // 4. Loading the pixel records an open; following the link redirects to the original URL.
  const pixel = await fetch(pixelUrl!.replace(/^https?:\/\/[^/]+/, system.tracker.url));
  assert.equal(pixel.status, 200);
  assert.match(pixel.headers.get('cache-control') ?? '', /no-store/);
  const opened = await recorder.waitFor(prefix + trackingEngagementTopic.name, (m) => (m.value as { type: string }).type === 'opened');
  assert.equal((opened.value as { sentEmailId: string }).sentEmailId, sentPayload.sentEmailId);
  const click = await fetch(clickUrl!.replace(/^https?:\/\/[^/]+/, system.tracker.url), { redirect: 'manual' });
  assert.equal(click.status, 302);
  assert.equal(click.headers.get('location'), LINK);
  await recorder.waitFor(prefix + trackingEngagementTopic.name, (m) => (m.value as { type: string }).type === 'clicked');
  assert.equal(recorder.on(prefix + trackingEngagementTopic.name).length, 2, 'only the two genuine hits were recorded');

  // 5. Mail built to break an inbound pipeline reaches Sam first (a 5 000-character subject, 600
  //    References ids, 200 nested multiparts, a 12 MB attachment, bytes that are no message…): it
  //    must not keep the reply behind it from being seen. Then Alan (on CC) replies; mailbox-sync
  //    sees it over IMAP IDLE, reply-detector matches it.
  const smtp = nodemailer.createTransport({ host: requiredEnv('MAIL_HOST'), port: Number(requiredEnv('SMTP_PORT')), secure: false });
  for (const hostile of hostileMessages({ to: REP })) await smtp.sendMail({ envelope: { from: 'mallory@hostile.test', to: [REP] }, raw: hostile.raw });
  await smtp.sendMail({
    from: `Alan Bradley <${CC}>`,
    to: REP,
    subject: 'Re: The Grid',
    text: 'Count me in. Tron fights for the users.\n\nOn Fri, Sam wrote:\n> See the plan.',
    inReplyTo: sentPayload.messageId,
    references: [sentPayload.messageId],
  });
  const reply = await recorder.waitFor(prefix + replyDetectedTopic.name, () => true, 60_000);
  const replyPayload = reply.value as { kind: string; relation: string; matchedBy: string; enrollmentId: string; snippet: string };
  assert.equal(replyPayload.kind, 'reply');
  assert.equal(replyPayload.relation, 'cc');
  assert.equal(replyPayload.matchedBy, 'in_reply_to');
  assert.equal(replyPayload.enrollmentId, enrollmentId);
  assert.equal(replyPayload.snippet, 'Count me in. Tron fights for the users.');
  const stop = await recorder.waitFor(prefix + campaignStopTopic.name);
  assert.equal((stop.value as { enrollmentId: string }).enrollmentId, enrollmentId);

  // 6. The sequencer stops the enrollment; past step 2's due time nothing more is sent.
  const stopped = await eventually('the enrollment to stop', async () => {
    const e = await http(system.sequencer.url, `/v1/enrollments/${enrollmentId}`);
    return e.body.state === 'stopped' ? e.body : undefined;
  });
  assert.equal(stopped.stopReason, 'replied');
  clock.advance(4 * 86_400_000);
  assert.equal(await dispatcher.tick(), 0, 'no step is due once stopped');
  const after = await http(system.sequencer.url, `/v1/enrollments/${enrollmentId}`);
  assert.equal(after.body.state, 'stopped');
  assert.deepEqual(after.body.steps.map((s: { stepNumber: number }) => s.stepNumber), [1]);
  assert.equal(recorder.on(prefix + emailSendRequestedTopic.name).length, 1, 'step 2 was never handed to the sender');
  assert.equal((await readInbox(PROSPECT)).length, 1, 'Flynn received step 1 only');

  // 7. Salesforce: one Task for the email, one for the reply, on Flynn's Contact.
  const tasks = await eventually('two Salesforce Tasks', () => {
    const t = salesforce.records('Task');
    return t.length >= 2 ? t : undefined;
  });
  assert.equal(tasks.length, 2);
  assert.ok(tasks.every((t) => t.WhoId === flynnContactId), 'both Tasks are on Flynn\'s Contact');
  assert.deepEqual(tasks.map((t) => String(t.Subject)).sort(), ['Email: The Grid', 'Reply: Re: The Grid']);

  // Exactly once, even when events are redelivered: the same events again (same event ids), and the
  // same facts as new events (new event ids).
  const before = await processedCount('crm_writer', 'crm-writer');
  const producer = kafka.producer();
  await producer.connect();
  const originals = [sent, reply];
  await producer.send({ topic: sent.topic, messages: [{ key: sent.key, value: sent.rawValue, headers: sent.headers }] });
  await producer.send({ topic: reply.topic, messages: [{ key: reply.key, value: reply.rawValue, headers: reply.headers }] });
  for (const m of originals) {
    await producer.send({ topic: m.topic, messages: [{ key: m.key, value: m.rawValue, headers: { ...m.headers, 'event-id': randomUUID() } }] });
  }
  await producer.disconnect();
  await eventually('crm-writer to process the two new event ids', async () => (await processedCount('crm_writer', 'crm-writer')) >= before + 2);
  // Per partition the same-id copy came first, so it was seen (and skipped) too: only the two new
  // ids were recorded, and the activity key kept them from creating Tasks.
  assert.equal(await processedCount('crm_writer', 'crm-writer'), before + 2);
  assert.equal(salesforce.records('Task').length, 2, 'still exactly one Task per email and per reply');
});
