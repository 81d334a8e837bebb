import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { emailSendFailedTopic, emailSendRequestedTopic, type EmailSendRequested } from '@telltale/contracts';
import { ManualClock } from '@telltale/db';
import { createTestDatabase, startSalesforceSandbox, type SalesforceSandbox } from '@telltale/testing';
import { callApi, enrollWhenMailboxKnown, requiredEnv, sandboxMailbox, startTelltaleSystem, TopicRecorder, type TelltaleSystem } from '../src';
import { EventProducer } from '../src/event-producer';

/**
 * Issue 12: a mailbox sends as itself only. `POST /v1/emails` with `From: ceo@other-company.example`
 * through Sam's mailbox was sent; now it is a 422 naming the field, a send request arriving over
 * Kafka with another From is not sent (PERMANENT), and an enrolment names a mailbox of its own
 * organisation and its address (the sequencer learns of mailboxes from mailbox-sync's events).
 */

const ORG = randomUUID();
const OTHER_ORG = randomUUID();
const SAM = `sam-${randomBytes(3).toString('hex')}@telltale.test`;
const prefix = `from-${randomBytes(4).toString('hex')}.`;

let system: TelltaleSystem;
let salesforce: SalesforceSandbox;
let drop: () => Promise<void>;
let databaseUrl: string;
let kafka: Kafka;
let producer: EventProducer;
let recorder: TopicRecorder;
let mailboxId: string;

async function sentEmails(): Promise<{ from_address: string; status: string; failure_code: string | null }[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(`SELECT from_address, status, failure_code FROM sender.sent_email WHERE mailbox_id = $1 ORDER BY created_at`, [mailboxId])).rows;
  } finally {
    await client.end();
  }
}

const email = (from: string) => ({ mailboxId, from: { address: from, name: 'Sam' }, to: [{ address: 'dana@buyer.example', name: 'Dana' }], subject: 'Pricing', text: 'Hello Dana.', tracking: { opens: false, clicks: false } });

before(async () => {
  const db = await createTestDatabase(requiredEnv('DATABASE_URL'));
  drop = db.drop;
  databaseUrl = db.url;
  salesforce = await startSalesforceSandbox();
  system = await startTelltaleSystem({
    databaseUrl: db.url,
    kafkaBrokers: requiredEnv('KAFKA_BROKERS'),
    topicPrefix: prefix,
    clock: new ManualClock(new Date()),
    salesforce: { loginUrl: salesforce.url, clientId: salesforce.clientId, clientSecret: salesforce.clientSecret, username: 'rep@telltale.sandbox', password: 'telltale-sandbox-password' },
  });
  kafka = new Kafka({ clientId: 'from-address-test', brokers: requiredEnv('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING });
  producer = new EventProducer(kafka, prefix);
  await producer.start();
  recorder = new TopicRecorder(kafka, [prefix + emailSendFailedTopic.name]);
  await recorder.start();
  const mailbox = await callApi(system.mailboxSync.url, '/v1/mailboxes', ORG, { body: sandboxMailbox(SAM) });
  assert.equal(mailbox.status, 201, JSON.stringify(mailbox.body));
  mailboxId = mailbox.body.id;
});

after(async () => {
  await recorder?.stop();
  await producer?.stop();
  await system?.stop();
  await salesforce?.stop();
  await drop?.();
});

test("POST /v1/emails with another company's From through Sam's mailbox is a 422 from_not_mailbox_address, and nothing is stored or sent", async () => {
  const spoofed = await callApi(system.sender.url, '/v1/emails', ORG, { body: email('ceo@other-company.example') });
  assert.equal(spoofed.status, 422, JSON.stringify(spoofed.body));
  assert.equal(spoofed.body.error, 'from_not_mailbox_address');
  assert.equal(spoofed.body.field, 'from.address');
  assert.match(spoofed.body.message, new RegExp(SAM.replace(/\./g, '\\.')));
  assert.deepEqual(await sentEmails(), []);
});

test("the mailbox's own address, in any case, is sent", async () => {
  const sent = await callApi(system.sender.url, '/v1/emails', ORG, { body: email(SAM.toUpperCase()) });
  assert.equal(sent.status, 201, JSON.stringify(sent.body));
  assert.equal(sent.body.outcome, 'sent');
});

test('a send request over Kafka with another From is not sent: email.send-failed.v1 PERMANENT', async () => {
  const request: EmailSendRequested = {
    sendRequestId: randomUUID(),
    orgId: ORG,
    mailboxId,
    enrollmentId: null,
    sequenceId: null,
    stepNumber: null,
    from: { address: 'ceo@other-company.example', name: 'The CEO' },
    to: [{ address: 'dana@buyer.example', name: null }],
    cc: [],
    subject: 'Wire the money',
    html: null,
    text: 'Today, please.',
    replyToMessageId: null,
    tracking: { opens: false, clicks: false },
    notAfter: null,
    requestedAt: new Date().toISOString(),
  };
  await producer.produce(emailSendRequestedTopic, request, ORG);
  const failed = await recorder.waitFor(prefix + emailSendFailedTopic.name, (m) => (m.value as { sendRequestId: string }).sendRequestId === request.sendRequestId);
  const payload = failed.value as { code: string; reason: string };
  assert.equal(payload.code, 'PERMANENT');
  assert.match(payload.reason, /is not the mailbox's own address/);
  // Both rows carry the test clock's time: compare them in a fixed order, not the table's.
  const rows = (await sentEmails()).map((e) => [e.from_address, e.status, e.failure_code]).sort((a, b) => String(a[1]).localeCompare(String(b[1])));
  assert.deepEqual(rows, [
    ['ceo@other-company.example', 'failed', 'PERMANENT'],
    [SAM, 'sent', null],
  ]);
});

test("an enrolment with another organisation's mailbox is a 404; with the own organisation's, the From must be the mailbox's address", async () => {
  const sequence = await callApi(system.sequencer.url, '/v1/sequences', ORG, { body: { name: 'From', steps: [{ subject: 'Hello', text: 'One.' }] } });
  assert.equal(sequence.status, 201, JSON.stringify(sequence.body));
  const enrolment = { mailboxId, from: { address: SAM, name: 'Sam' }, prospect: { email: 'dana@buyer.example', name: null } };
  // Known to the sequencer first (through mailbox-sync's event), so the refusals below are not "not yet known".
  const spoofed = await enrollWhenMailboxKnown(system.sequencer.url, sequence.body.id, ORG, { ...enrolment, from: { address: 'ceo@other-company.example', name: null } });
  assert.equal(spoofed.status, 422, JSON.stringify(spoofed.body));
  assert.equal(spoofed.body.error, 'from_not_mailbox_address');
  const otherSequence = await callApi(system.sequencer.url, '/v1/sequences', OTHER_ORG, { body: { name: 'Theirs', steps: [{ subject: 'Hello', text: 'One.' }] } });
  const foreign = await callApi(system.sequencer.url, `/v1/sequences/${otherSequence.body.id}/enrollments`, OTHER_ORG, { body: enrolment });
  assert.equal(foreign.status, 404, JSON.stringify(foreign.body));
  assert.equal(foreign.body.error, 'mailbox_not_found');
  const own = await callApi(system.sequencer.url, `/v1/sequences/${sequence.body.id}/enrollments`, ORG, { body: enrolment });
  assert.equal(own.status, 201, JSON.stringify(own.body));
});
