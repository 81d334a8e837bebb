import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ImapFlow } from 'imapflow';
import { assertHostileMessagesDoNotStallTheMailbox, env, startMailboxSyncUnderTest, waitFor, type MailboxSyncUnderTest } from './support/mailbox-sync-under-test';

// GreenMail runs with authentication disabled: any password logs in, and the account appears on first use.
const REP = `rep-${randomBytes(4).toString('hex')}@telltale.test`;

/** Puts a message into the rep's inbox through a separate IMAP session, as delivery would. */
async function deliverRaw(raw: string | Buffer): Promise<void> {
  const client = new ImapFlow({ host: env('MAIL_HOST'), port: Number(env('IMAP_PORT')), secure: false, auth: { user: REP, pass: 'any' }, logger: false, disableAutoIdle: true });
  await client.connect();
  try {
    await client.append('INBOX', raw);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

function deliver(messageId: string, subject: string): Promise<void> {
  return deliverRaw([`From: Buyer <buyer@acme.test>`, `To: ${REP}`, `Subject: ${subject}`, `Message-ID: ${messageId}`, 'Date: Fri, 27 Nov 2026 09:00:00 +0000', '', subject, ''].join('\r\n'));
}

describe('IMAP mailboxes in mailbox-sync: disconnect and reconnect (GreenMail, Postgres, Kafka)', () => {
  let sync: MailboxSyncUnderTest;
  let mailboxId = '';

  before(async () => {
    sync = await startMailboxSyncUnderTest({
      label: 'imap',
      config: {
        // Long poll: only IDLE can make the tests below pass in time.
        MAILBOX_FOLDER_POLL_MS: '600000',
        // Below the 8 MiB default, so a 2 MiB message shows the limit is the operator's.
        MAILBOX_MAX_MESSAGE_BYTES: String(1024 * 1024),
      },
    });
  });

  after(async () => {
    await sync?.stop();
  });

  const connect = (password: string): Promise<Response> =>
    sync.api('/v1/mailboxes', {
      method: 'POST',
      body: JSON.stringify({
        provider: 'imap',
        emailAddress: REP,
        imap: { host: env('MAIL_HOST'), port: Number(env('IMAP_PORT')), secure: false },
        smtp: { host: env('MAIL_HOST'), port: Number(env('SMTP_PORT')), secure: false },
        username: REP,
        password,
      }),
    });
  const transport = (): Promise<{ state: string; smtp: { auth: { user: string; pass: string } | null } }> => sync.transport(mailboxId);

  it('connects, follows the inbox with IDLE, hands the sender the password; the same address again is a conflict', async () => {
    const res = await connect('first-password');
    assert.equal(res.status, 201);
    const view = (await res.json()) as { id: string; state: string };
    assert.equal(view.state, 'connected');
    mailboxId = view.id;
    await deliver('<control-1@acme.test>', 'Control');
    await sync.awaitMessage('<control-1@acme.test>', 'positive control event');
    assert.equal((await transport()).smtp.auth?.pass, 'first-password');
    assert.equal((await connect('other')).status, 409);
  });

  it('hostile messages (5 000-character subject, 600 References, 200-level nesting, 12 MB, not a message…) never keep a later reply from being seen', async () => {
    await assertHostileMessagesDoNotStallTheMailbox(sync, mailboxId, REP, deliverRaw);
  });

  it('MAILBOX_MAX_MESSAGE_BYTES is the limit: a 2 MiB reply is fetched only to 1 MiB and read for its header fields', async () => {
    const padding = randomBytes(1536 * 1024).toString('base64').replace(/.{76}/g, '$&\r\n');
    const raw = [`From: Buyer <buyer@acme.test>`, `To: ${REP}`, 'Subject: Re: Proposal, deck attached', 'Message-ID: <big-reply-1@acme.test>', 'In-Reply-To: <ours-1@telltale.test>', 'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain', '', 'Deck attached.', '--b', 'Content-Type: application/pdf', 'Content-Transfer-Encoding: base64', '', padding, '--b--', ''].join('\r\n');
    await deliverRaw(raw);
    const event = await sync.awaitMessage('<big-reply-1@acme.test>', 'the 2 MiB reply');
    const message = event.message as unknown as { bodySkipped?: string; sizeBytes: number; inReplyTo: string[]; subject: string };
    assert.equal(message.bodySkipped, 'too-large');
    assert.ok(message.sizeBytes > 2 * 1024 * 1024, `RFC822.SIZE reported: ${message.sizeBytes}`);
    assert.deepEqual(message.inReplyTo, ['<ours-1@telltale.test>']);
    assert.equal(message.subject, 'Re: Proposal, deck attached');
  });

  it("another org's DELETE is 404 and changes nothing", async () => {
    await sync.assertOtherOrgCannotDelete(mailboxId);
    assert.equal((await sync.api('/v1/mailboxes/not-a-uuid', { method: 'DELETE' })).status, 400);
    assert.equal(await sync.mailboxState(mailboxId), 'connected');
  });

  it('disconnect: state disconnected + event, password wiped, no credentials for sends, IDLE follower stopped', async () => {
    const view = await sync.disconnect(mailboxId);
    assert.match(view.replyTracking, /NOT being tracked/);
    await sync.awaitDisconnectedEvent(mailboxId);
    await sync.assertCredentialsWiped(mailboxId);
    const t = await transport();
    assert.equal(t.state, 'disconnected');
    assert.equal(t.smtp.auth, null);
    assert.doesNotMatch(JSON.stringify(t), /first-password/);
    await deliver('<late-1@acme.test>', 'While disconnected');
    await sync.assertNotSynced('<late-1@acme.test>');
  });

  it('disconnecting again answers the same and does nothing more', async () => {
    await sync.disconnect(mailboxId);
    await sync.assertOneDisconnectedEvent(mailboxId);
  });

  it('connecting the same address again brings the same mailbox back with the new password and catches up (cursor kept)', async () => {
    const res = await connect('second-password');
    assert.equal(res.status, 201);
    const view = (await res.json()) as { id: string; state: string };
    assert.equal(view.id, mailboxId);
    assert.equal(view.state, 'connected');
    await sync.awaitMessage('<late-1@acme.test>', 'message received while disconnected, on reconnect');
    assert.equal(sync.received.filter((e) => e.message.messageId === '<control-1@acme.test>').length, 1, 'nothing synced twice');
    await waitFor(() => sync.changes.find((c) => c.mailboxId === mailboxId && c.previousState === 'disconnected' && c.state === 'syncing'), 'reconnect event');
    assert.equal((await transport()).smtp.auth?.pass, 'second-password');
  });
});
