import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { EmailSent, MailboxMessageReceived } from '@telltale/contracts';
import { localIdentityHeaders, sharedLocalIdentity, type StartedService } from '@telltale/runtime';
import { createTestDatabase } from '@telltale/testing';
import { ReplyDetectorConfig, startReplyDetector, type InboundMessage } from '../src';
import { HandleInboundMessageUseCase } from '../src/detection/handle-inbound-message.use-case';
import { SentMessageStore } from '../src/sent-index/sent-message.store';
import { inboundMessage } from './support/inbound-message';


function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run with \`npm test\``);
  return v;
}

const ORG = randomUUID();
const MAILBOX = randomUUID();
const REP = 'rep@seller.com';
let service: StartedService;
let drop: () => Promise<void>;
let useCase: HandleInboundMessageUseCase;
const store = new SentMessageStore();
let seq = 0;

before(async () => {
  const db = await createTestDatabase(env('DATABASE_URL'));
  drop = db.drop;
  service = await startReplyDetector(
    ReplyDetectorConfig.parse({
      ...(await sharedLocalIdentity()).env(),
      DATABASE_URL: db.url,
      KAFKA_BROKERS: env('KAFKA_BROKERS'),
      KAFKA_TOPIC_PREFIX: `rd-${randomBytes(4).toString('hex')}.`,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SOFT_BOUNCE_STOP_AFTER: '3',
    }),
  );
  useCase = service.app.get(HandleInboundMessageUseCase);
});

after(async () => {
  await service?.stop();
  await drop?.();
});

async function sendEmail(enrollmentId: string | null, to: string[], cc: string[] = [], minutesAgo = 60): Promise<EmailSent> {
  seq++;
  const sent: EmailSent = {
    sentEmailId: randomUUID(),
    sendRequestId: randomUUID(),
    orgId: ORG,
    mailboxId: MAILBOX,
    enrollmentId,
    sequenceId: enrollmentId ? randomUUID() : null,
    stepNumber: enrollmentId ? 1 : null,
    messageId: `<s${seq}.${randomUUID()}@mail.seller.com>`,
    providerMessageId: null,
    providerThreadId: null,
    from: { address: REP, name: 'Rep' },
    to: to.map((address) => ({ address, name: null })),
    cc: cc.map((address) => ({ address, name: null })),
    subject: 'Hello',
    tracking: { opens: false, clicks: false, trackedLinks: 0 },
    sentAt: new Date(Date.now() - minutesAgo * 60_000 + seq).toISOString(),
  };
  await service.runtime.dataSource.transaction((m) => store.record(m, sent));
  return sent;
}

async function receive(over: Partial<InboundMessage>): Promise<void> {
  const event: MailboxMessageReceived = {
    orgId: ORG,
    mailboxId: MAILBOX,
    mailboxAddress: REP,
    message: inboundMessage({ providerMessageId: randomUUID(), messageId: `<${randomUUID()}@in>`, receivedAt: new Date().toISOString(), ...over }),
  };
  await service.runtime.dataSource.transaction((m) => useCase.execute(event, m));
}

async function outbox(topic: string, enrollmentId: string): Promise<Record<string, unknown>[]> {
  const rows = (await service.runtime.dataSource.query(
    `SELECT payload FROM reply_detector.outbox WHERE topic LIKE '%' || $1 AND payload->>'enrollmentId' = $2 ORDER BY seq`,
    [topic, enrollmentId],
  )) as { payload: Record<string, unknown> }[];
  return rows.map((r) => r.payload);
}

const from = (address: string) => ({ address, name: null });

test('a colleague writing out of thread while the campaign is active stops it (company_domain)', async () => {
  const enrollment = randomUUID();
  await sendEmail(enrollment, ['pat@buyer.com']);
  await receive({ from: from('kim@buyer.com'), subject: 'Your note to Pat' });
  const [reply] = await outbox('reply.detected.v1', enrollment);
  assert.equal(reply?.['relation'], 'colleague');
  assert.equal(reply?.['matchedBy'], 'company_domain');
  const [stop] = await outbox('campaign.stop.v1', enrollment);
  assert.equal(stop?.['reason'], 'replied');
});

test('a CC reply stops; a free-mail stranger does not match', async () => {
  const enrollment = randomUUID();
  const sent = await sendEmail(enrollment, ['ann@gmail.com'], ['boss@corp-cc.com']);
  await receive({ from: from('boss@corp-cc.com'), inReplyTo: [sent.messageId] });
  assert.equal((await outbox('reply.detected.v1', enrollment))[0]?.['relation'], 'cc');
  const other = randomUUID();
  await sendEmail(other, ['solo@gmail.com']);
  await receive({ from: from('stranger@gmail.com'), subject: 'hi' });
  assert.deepEqual(await outbox('reply.detected.v1', other), []);
});

test('one reply seen again under another provider id (moved to another folder, a copy) is reported once', async () => {
  const enrollment = randomUUID();
  const sent = await sendEmail(enrollment, ['val@movers.com']);
  const reply = { from: from('val@movers.com'), inReplyTo: [sent.messageId], messageId: `<${randomUUID()}@movers.com>` };
  await receive({ ...reply, providerMessageId: 'AAMkAGI2-in-inbox', folder: 'INBOX' });
  // Outlook gives a moved message a new id; an IMAP move is a new UID.
  await receive({ ...reply, providerMessageId: 'AAMkAGI2-in-customers', folder: 'Customers' });
  // The first copy seen again (a redelivery) changes nothing either.
  await receive({ ...reply, providerMessageId: 'AAMkAGI2-in-inbox', folder: 'INBOX' });
  assert.equal((await outbox('reply.detected.v1', enrollment)).length, 1);
  assert.equal((await outbox('campaign.stop.v1', enrollment)).length, 1);

  // Another message from the same person (its own Message-ID) is a reply of its own.
  await receive({ ...reply, messageId: `<${randomUUID()}@movers.com>`, providerMessageId: 'AAMkAGI2-second' });
  assert.equal((await outbox('reply.detected.v1', enrollment)).length, 2);
});

test('a reply asking to stop, in English, German and Japanese, is reported with unsubscribeRequested; a question about it is not', async () => {
  for (const [address, textBody, asks] of [
    ['lee@stop-en.com', 'Not interested, please take me off your list.', true],
    ['jan@stop-de.de', 'Bitte nehmen Sie mich aus Ihrem Verteiler.', true],
    ['sato@stop-ja.co.jp', '今後のメール配信を停止してください。', true],
    ['kim@stop-q.com', "I can't unsubscribe from your newsletter, can you help?", false],
  ] as const) {
    const enrollment = randomUUID();
    const sent = await sendEmail(enrollment, [address]);
    await receive({ from: from(address), inReplyTo: [sent.messageId], subject: 'Re: Hello', textBody });
    const [reply] = await outbox('reply.detected.v1', enrollment);
    assert.equal(reply?.['kind'], 'reply', address);
    assert.equal(reply?.['unsubscribeRequested'], asks ? true : undefined, address);
    // Stopping for it (reason unsubscribed, suppression) is the sequencer's part; here it is a reply like any other.
    assert.equal((await outbox('campaign.stop.v1', enrollment))[0]?.['reason'], 'replied');
  }
});

test('an auto-reply is reported with its return date and does not stop', async () => {
  const enrollment = randomUUID();
  const sent = await sendEmail(enrollment, ['pat@ooo-buyer.com']);
  const inTwoWeeks = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
  await receive({
    from: from('pat@ooo-buyer.com'),
    subject: 'Automatic reply: Hello',
    inReplyTo: [sent.messageId],
    autoReplyMarkers: { ...inboundMessage({}).autoReplyMarkers, autoSubmitted: 'auto-replied' },
    textBody: `I am out of the office until ${inTwoWeeks}.`,
  });
  const [reply] = await outbox('reply.detected.v1', enrollment);
  assert.equal(reply?.['kind'], 'auto_reply');
  assert.equal(reply?.['returnDate'], inTwoWeeks);
  assert.deepEqual(await outbox('campaign.stop.v1', enrollment), []);
});

function softBounce(messageId: string): Partial<InboundMessage> {
  return {
    from: from('mailer-daemon@mx.bounce-buyer.com'),
    subject: 'Undeliverable: Hello',
    reportType: 'delivery-status',
    contentType: 'multipart/report',
    deliveryStatus: [{ action: 'failed', status: '5.2.2', finalRecipient: 'pat@bounce-buyer.com', diagnosticCode: 'smtp; 552 5.2.2 mailbox full' }],
    enclosedOriginal: { messageId, subject: 'Hello', from: REP, to: 'pat@bounce-buyer.com', headers: {} },
  };
}

test('soft bounces are all reported; the third in a row stops the enrollment', async () => {
  const enrollment = randomUUID();
  const emails = [await sendEmail(enrollment, ['pat@bounce-buyer.com'], [], 300), await sendEmail(enrollment, ['pat@bounce-buyer.com'], [], 200)];
  await receive(softBounce(emails[0]!.messageId));
  await receive(softBounce(emails[1]!.messageId));
  assert.equal((await outbox('email.bounced.v1', enrollment)).length, 2);
  assert.deepEqual(await outbox('campaign.stop.v1', enrollment), [], 'two soft bounces do not stop');
  const third = await sendEmail(enrollment, ['pat@bounce-buyer.com'], [], 100);
  await receive(softBounce(third.messageId));
  const bounced = await outbox('email.bounced.v1', enrollment);
  assert.deepEqual(
    bounced.map((b) => b['severity']),
    ['soft', 'soft', 'soft'],
  );
  assert.deepEqual(
    bounced.map((b) => b['reason']),
    ['mailbox_full', 'mailbox_full', 'mailbox_full'],
  );
  const [stop] = await outbox('campaign.stop.v1', enrollment);
  assert.equal(stop?.['reason'], 'bounced');
});

test('a hard bounce stops at once', async () => {
  const enrollment = randomUUID();
  const sent = await sendEmail(enrollment, ['gone@hard-buyer.com']);
  await receive({
    ...softBounce(sent.messageId),
    deliveryStatus: [{ action: 'failed', status: '5.1.1', finalRecipient: 'gone@hard-buyer.com', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
  });
  const [bounced] = await outbox('email.bounced.v1', enrollment);
  assert.deepEqual([bounced?.['severity'], bounced?.['reason']], ['hard', 'user_unknown']);
  assert.equal((await outbox('campaign.stop.v1', enrollment))[0]?.['reason'], 'bounced');
});

test('a spam rejection with a 5.7.1 status is a soft bounce with its reason, and does not stop at once', async () => {
  const enrollment = randomUUID();
  const sent = await sendEmail(enrollment, ['pat@filtering-buyer.com']);
  await receive({
    ...softBounce(sent.messageId),
    deliveryStatus: [{ action: 'failed', status: '5.7.1', finalRecipient: 'pat@filtering-buyer.com', diagnosticCode: 'smtp; 550 5.7.1 Message rejected as spam by Content Filtering' }],
  });
  const [bounced] = await outbox('email.bounced.v1', enrollment);
  assert.deepEqual([bounced?.['severity'], bounced?.['reason'], bounced?.['statusCode']], ['soft', 'spam_detected', '5.7.1']);
  assert.deepEqual(await outbox('campaign.stop.v1', enrollment), []);
});

test('a teammate answering in the thread is never a reply', async () => {
  const enrollment = randomUUID();
  const sent = await sendEmail(enrollment, ['pat@team-buyer.com']);
  await receive({ from: from('mate@seller.com'), inReplyTo: [sent.messageId] });
  assert.deepEqual(await outbox('reply.detected.v1', enrollment), []);
});

test('a reply that arrives before its email.sent is decided once the sent index catches up', async () => {
  const enrollment = randomUUID();
  const early = `<early.${randomUUID()}@mail.seller.com>`;
  await receive({ from: from('pat@early-buyer.org'), inReplyTo: [early], receivedAt: new Date().toISOString() });
  assert.deepEqual(await outbox('campaign.stop.v1', enrollment), []);
  const sent: EmailSent = { ...(await sendEmail(null, ['x@unrelated.org'])), sentEmailId: randomUUID(), enrollmentId: enrollment, messageId: early, to: [from('pat@early-buyer.org')] };
  await service.runtime.dataSource.transaction(async (m) => {
    await store.record(m, sent);
    assert.equal(await useCase.reconsiderPending(m, ORG, early), 1);
  });
  assert.equal((await outbox('campaign.stop.v1', enrollment))[0]?.['reason'], 'replied');
});

test('a Thread-Index seen on a matched reply ties later messages of that Outlook conversation', async () => {
  const enrollment = randomUUID();
  const sent = await sendEmail(enrollment, ['pat@outlook-buyer.com']);
  const header = randomBytes(22);
  await receive({ from: from('pat@outlook-buyer.com'), subject: 'Automatic reply: Hello', inReplyTo: [sent.messageId], threadIndex: header.toString('base64'), autoReplyMarkers: { ...inboundMessage({}).autoReplyMarkers, autoSubmitted: 'auto-generated' } });
  await receive({ from: from('forwardee@partner-firm.com'), threadIndex: Buffer.concat([header, randomBytes(5)]).toString('base64') });
  const replies = await outbox('reply.detected.v1', enrollment);
  assert.deepEqual(
    replies.map((r) => [r['kind'], r['matchedBy'], r['relation']]),
    [
      ['auto_reply', 'in_reply_to', 'prospect'],
      ['reply', 'thread_index', 'other'],
    ],
  );
});

test('the endpoint explains why an enrollment did or did not stop', async () => {
  const stopped = randomUUID();
  const sent = await sendEmail(stopped, ['pat@explain-buyer.com']);
  await receive({ from: from('pat@explain-buyer.com'), inReplyTo: [sent.messageId] });
  const res = await fetch(`${service.url}/v1/enrollments/${stopped}/verdicts`, { headers: { ...(await localIdentityHeaders(ORG)) } });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { stopRequested: boolean; stopReason: string; explanation: string; verdicts: { reasons: string[] }[] };
  assert.equal(body.stopRequested, true);
  assert.equal(body.stopReason, 'replied');
  assert.match(body.explanation, /reply from pat@explain-buyer.com \(prospect\)/);
  assert.ok(body.verdicts[0]!.reasons.some((r) => r.includes('in_reply_to')));

  const notStopped = randomUUID();
  await sendEmail(notStopped, ['lost@explain-other.com'], [], 60 * 24 * 60);
  // Out of the active window (60 days ago): the prospect's new-thread message does not match.
  await receive({ from: from('lost@explain-other.com'), subject: 'a new thread' });
  const why = (await (await fetch(`${service.url}/v1/enrollments/${notStopped}/verdicts`, { headers: { ...(await localIdentityHeaders(ORG)) } })).json()) as {
    stopRequested: boolean;
    explanation: string;
    unmatchedFromRecipients: unknown[];
  };
  assert.equal(why.stopRequested, false);
  assert.equal(why.unmatchedFromRecipients.length, 1);
  assert.match(why.explanation, /could not be tied/);
});

test('an ARF feedback report (RFC 5965) about our email publishes email.complained.v1 naming who complained', async () => {
  const enrollment = randomUUID();
  const sent = await sendEmail(enrollment, ['pat@buyer.com', 'lee@buyer.com']);
  await receive({
    from: from('feedback@fbl.mailprovider.test'),
    subject: 'Abuse report',
    contentType: 'multipart/report; report-type=feedback-report; boundary="b1"',
    reportType: 'feedback-report',
    textBody: 'This is an email abuse report for an email message received from IP 192.0.2.1.\nFor more information about this format please see http://www.mipassoc.org/arf/.\n',
    enclosedOriginal: { messageId: sent.messageId, subject: 'Hello', from: REP, to: 'Lee <LEE@buyer.com>', headers: {} },
  });
  const [complaint, ...more] = await outbox('email.complained.v1', enrollment);
  assert.equal(more.length, 0);
  assert.deepEqual([complaint?.['recipient'], complaint?.['sentEmailId'], complaint?.['feedbackType']], ['lee@buyer.com', sent.sentEmailId, null]);
  // A complaint is not a reply: nothing else is published for it.
  assert.deepEqual(await outbox('reply.detected.v1', enrollment), []);

  // Redacted (no recipient in the report) and with the Feedback-Type in the text: the email's only To.
  const single = randomUUID();
  const only = await sendEmail(single, ['solo@buyer2.com']);
  await receive({
    from: from('scomp@fbl.provider.test'),
    subject: 'complaint about message from 192.0.2.1',
    reportType: null,
    textBody: 'Feedback-Type: abuse\nUser-Agent: SomeFBL/1.0\nVersion: 1\n',
    enclosedOriginal: { messageId: only.messageId, subject: 'Hello', from: REP, to: 'redacted@redacted.invalid', headers: {} },
  });
  const [redacted] = await outbox('email.complained.v1', single);
  assert.deepEqual([redacted?.['recipient'], redacted?.['feedbackType']], ['solo@buyer2.com', 'abuse']);
});
