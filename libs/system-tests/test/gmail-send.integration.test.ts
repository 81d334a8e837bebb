import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gmail as gmailApi } from '@googleapis/gmail';
import { sampleValue } from '@telltale/runtime';
import { startGmailTestServer, type GmailTestServer } from '@telltale/testing';
import { assertTrackedMessage, startSendHarness, type SendHarness } from './support/oauth-send-harness';

const REP = 'sam@rep-gmail.test';
const REDIRECT = 'http://127.0.0.1:9/google/callback';

/** A Gmail emulator, mailbox-sync and the sender, with one connected Gmail mailbox. */
async function startGmailSend(label: string): Promise<{ gmail: GmailTestServer; h: SendHarness; mailboxId: string }> {
  // Gmail makes up its own Message-ID for what is sent, so only reading it back tells.
  const gmail = await startGmailTestServer({ emailAddress: REP, redirectUri: REDIRECT, assignMessageIds: true });
  const h = await startSendHarness(label, {
    GOOGLE_CLIENT_ID: 'telltale-test.apps.googleusercontent.com',
    GOOGLE_CLIENT_SECRET: 'test-secret',
    GOOGLE_REDIRECT_URI: REDIRECT,
    GOOGLE_OAUTH_AUTH_URL: gmail.authUrl,
    GOOGLE_OAUTH_TOKEN_URL: gmail.tokenUrl,
    GMAIL_API_ROOT_URL: gmail.url,
    GMAIL_POLL_MS: '600000',
  });
  const mailboxId = await h.connect('google', async (url) => (await fetch(url, { redirect: 'manual' })).headers.get('location') ?? '');
  return { gmail, h, mailboxId };
}

describe('sending through a Gmail mailbox: sender + mailbox-sync, Gmail emulator, Postgres, Kafka', () => {
  let gmail: GmailTestServer;
  let h: SendHarness;
  let mailboxId = '';

  before(async () => {
    ({ gmail, h, mailboxId } = await startGmailSend('gmail-send'));
  });

  after(async () => {
    await h?.stop();
    await gmail?.close();
  });

  /** Messages with this subject as the mailbox stores them (raw MIME), seen with a grant of the rep's own, not Telltale's. */
  async function stored(subject: string): Promise<{ id: string; threadId: string; labelIds: string[]; raw: Buffer }[]> {
    const owner = gmailApi({ version: 'v1', rootUrl: gmail.url, headers: { Authorization: `Bearer ${gmail.issueGrant().accessToken}` } });
    const ids = (await owner.users.messages.list({ userId: 'me', maxResults: 500, includeSpamTrash: true })).data.messages ?? [];
    const all = await Promise.all(ids.map(async ({ id }) => (await owner.users.messages.get({ userId: 'me', id: id!, format: 'raw' })).data));
    return all
      .map((m) => ({ id: m.id!, threadId: m.threadId!, labelIds: m.labelIds ?? [], raw: Buffer.from(m.raw ?? '', 'base64url') }))
      .filter((m) => new RegExp(`^Subject: ${subject}\\r?$`, 'm').test(m.raw.toString('latin1')));
  }

  it("sends with users.messages.send: the tracked email is in Sent, and the event and row carry Gmail's Message-ID and threadId", async () => {
    const subject = 'Pricing for the team';
    const sendRequestId = await h.requestSend(mailboxId, REP, subject);
    const sent = await h.waitForEvent('email.sent.v1', (p) => p.sendRequestId === sendRequestId);
    const [message, ...more] = await stored(subject);
    assert.ok(message, 'the message is in the mailbox');
    assert.equal(more.length, 0);
    assert.ok(message.labelIds.includes('SENT'));
    const gmailMessageId = /^Message-ID:\s*(<[^>]+>)/im.exec(message.raw.toString('latin1'))?.[1];
    assert.match(gmailMessageId ?? '', /@mail\.gmail\.com>$/, 'Gmail replaced the Message-ID we composed');
    assert.equal(sent.messageId, gmailMessageId);
    assert.equal(sent.providerMessageId, message.id);
    assert.equal(sent.providerThreadId, message.threadId);
    await assertTrackedMessage(message.raw, { sentEmailId: String(sent.sentEmailId), messageId: gmailMessageId!, subject });
    const row = await h.sentEmail(sendRequestId);
    assert.deepEqual(
      { status: row.status, id: row.id, messageId: row.message_id, providerMessageId: row.provider_message_id, threadId: row.provider_thread_id },
      { status: 'sent', id: sent.sentEmailId, messageId: gmailMessageId, providerMessageId: message.id, threadId: message.threadId },
    );
  });

  it('a 429 with Retry-After on messages.send holds the send that long, then it goes out once', async () => {
    gmail.throttleNext(1, 1, /^POST \/gmail\/v1\/users\/me\/messages\/send$/);
    const subject = 'After the rate limit';
    const sent = await h.sendThroughRateLimit(mailboxId, REP, subject);
    const messages = await stored(subject);
    assert.equal(messages.length, 1, 'exactly one message went out');
    assert.equal(sent.providerMessageId, messages[0]!.id);
  });

  it('a revoked grant moves the mailbox to needs_reconnect and fails the send visibly (MAILBOX_NOT_CONNECTED), sending nothing', async () => {
    // The sender still holds the access token it was handed (cached); the user removes the app.
    gmail.revokeAll();
    const subject = 'After the user removed the app';
    await h.sendWithRevokedGrant(mailboxId, REP, subject);
    assert.equal((await stored(subject)).length, 0);
  });
});

describe('a long rate limit at Gmail (a daily sending cap)', () => {
  let gmail: GmailTestServer;
  let h: SendHarness;
  let mailboxId = '';

  before(async () => {
    ({ gmail, h, mailboxId } = await startGmailSend('gmail-cap'));
  });

  after(async () => {
    await h?.stop();
    await gmail?.close();
  });

  it('fails the send as RATE_LIMITED with the time sending may resume, and holds the mailbox until then', async () => {
    gmail.throttleNext(1, 3_600, /^POST \/gmail\/v1\/users\/me\/messages\/send$/);
    const requestedAt = Date.now();
    const sendRequestId = await h.requestSend(mailboxId, REP, 'Over the daily cap');
    const failed = await h.waitForEvent('email.send-failed.v1', (p) => p.sendRequestId === sendRequestId);
    assert.equal(failed.code, 'RATE_LIMITED');
    const notBefore = Date.parse(String(failed.retryNotBefore));
    assert.ok(notBefore >= requestedAt + 3_600_000 && notBefore <= Date.now() + 3_600_000, `retryNotBefore is an hour on (${String(failed.retryNotBefore)})`);
    assert.equal((await h.sentEmail(sendRequestId)).failure_code, 'RATE_LIMITED');

    // Gmail would take the next send (only one 429 was set up), but the mailbox's pause holds it
    // back, naming the same time.
    const next = await h.requestSend(mailboxId, REP, 'Still over the cap');
    const failedNext = await h.waitForEvent('email.send-failed.v1', (p) => p.sendRequestId === next);
    assert.equal(failedNext.code, 'RATE_LIMITED');
    assert.ok(Math.abs(Date.parse(String(failedNext.retryNotBefore)) - notBefore) < 5_000);

    // On the metrics port: one provider error (Gmail's 429), two sends failed as RATE_LIMITED.
    const page = await (await fetch(h.sender.metricsUrl)).text();
    assert.equal(sampleValue(page, 'telltale_mail_provider_errors_total', { provider: 'gmail', code: 'RATE_LIMITED', operation: 'send' }), 1);
    assert.equal(sampleValue(page, 'telltale_sender_sends_total', { outcome: 'RATE_LIMITED' }), 2);
    assert.equal(sampleValue(page, 'telltale_sender_sends_total', { outcome: 'sent' }), undefined);
  });
});
