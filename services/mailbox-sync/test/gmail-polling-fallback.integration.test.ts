import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startGmailTestServer, type GmailTestServer } from '@telltale/testing';
import { gmailServiceConfig, startMailboxSyncUnderTest, type MailboxSyncUnderTest } from './support/mailbox-sync-under-test';

const REP = 'rep-polling@example.com';
const PUSH_TOKEN = randomBytes(16).toString('hex');
const POLL_MS = 1_500;

const mime = (subject: string, messageId: string): string =>
  [`From: buyer@acme.test`, `To: ${REP}`, `Subject: ${subject}`, `Message-ID: ${messageId}`, 'Date: Fri, 27 Nov 2026 09:00:00 +0000', '', 'hi', ''].join('\r\n');

/**
 * Gmail without push (Pub/Sub not set up, or its pushes stopped): polling alone finds replies
 * within the poll interval, and pushes that start (again) afterwards double nothing.
 */
describe('Gmail mailboxes: the polling fallback (emulator, Postgres, Kafka)', () => {
  let gmail: GmailTestServer;
  let sync: MailboxSyncUnderTest;

  before(async () => {
    gmail = await startGmailTestServer({ emailAddress: REP, redirectUri: 'http://127.0.0.1:9/cb' });
    sync = await startMailboxSyncUnderTest({
      label: 'gmail-polling',
      config: gmailServiceConfig(gmail, PUSH_TOKEN, POLL_MS),
    });
  });

  after(async () => {
    await sync?.stop();
    await gmail?.close();
  });

  const consent = async (authorizationUrl: string): Promise<string> => (await fetch(authorizationUrl, { redirect: 'manual' })).headers.get('location') ?? '';
  const push = (historyId: string): Promise<Response> =>
    fetch(`${sync.url}/v1/push/gmail?token=${PUSH_TOKEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: { data: Buffer.from(JSON.stringify({ emailAddress: REP, historyId: Number(historyId) })).toString('base64'), messageId: randomUUID() }, subscription: 'projects/p/subscriptions/telltale' }),
    });
  const count = (messageId: string): number => sync.received.filter((e) => e.message.messageId === messageId).length;

  it('no push arrives: replies are still found within the poll interval', async () => {
    const { view } = await sync.connectOAuth('google', { loginHint: REP }, consent);
    assert.equal(view.state, 'connected');
    for (let i = 0; i < 3; i += 1) {
      const label = i === 1 ? [await gmail.createLabel(`Clients-${i}`)] : undefined;
      const delivered = Date.now();
      await gmail.deliver(mime(`Re: Proposal ${i}`, `<polled-${i}@acme.test>`), label);
      await sync.awaitMessage(`<polled-${i}@acme.test>`, `reply ${i} found by polling`);
      const tookMs = Date.now() - delivered;
      // At most one interval of waiting, plus the sync itself.
      assert.ok(tookMs < POLL_MS + 1_500, `found ${tookMs} ms after delivery (poll every ${POLL_MS} ms)`);
    }
  });

  it('pushes resuming double nothing: each reply is one event, whether the poll or the push saw it first', async () => {
    const delivered = await gmail.deliver(mime('Re: Proposal (push)', '<pushed-1@acme.test>'));
    const answers = await Promise.all([push(delivered.historyId), push(delivered.historyId), push('1')]);
    assert.deepEqual(answers.map((a) => a.status), [204, 204, 204]);
    await sync.awaitMessage('<pushed-1@acme.test>', 'the pushed reply');
    // Two more polls over the same history.
    await new Promise((resolve) => setTimeout(resolve, 2 * POLL_MS + 500));
    for (const id of ['<polled-0@acme.test>', '<polled-1@acme.test>', '<polled-2@acme.test>', '<pushed-1@acme.test>']) assert.equal(count(id), 1, `${id}: one event`);
  });
});
