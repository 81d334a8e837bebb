import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { gmail as gmailApi } from '@googleapis/gmail';
import { GmailMailTransport } from '@telltale/mail';
import { startGmailTestServer, type GmailTestServer } from '@telltale/testing';
import { assertHostileMessagesDoNotStallTheMailbox, assertUnservableMessageDoesNotStallTheMailbox, gmailServiceConfig, startMailboxSyncUnderTest, waitFor, type MailboxSyncUnderTest } from './support/mailbox-sync-under-test';

const REP = 'rep@example.com';
const PUSH_TOKEN = randomBytes(16).toString('hex');

function mime(from: string, subject: string, messageId: string, inReplyTo?: string): string {
  return [`From: ${from}`, `To: ${REP}`, `Subject: ${subject}`, `Message-ID: ${messageId}`, 'Date: Fri, 27 Nov 2026 09:00:00 +0000', ...(inReplyTo ? [`In-Reply-To: ${inReplyTo}`] : []), '', 'hi', ''].join('\r\n');
}

function pushBody(historyId: string, emailAddress = REP): unknown {
  return { message: { data: Buffer.from(JSON.stringify({ emailAddress, historyId: Number(historyId) })).toString('base64'), messageId: randomUUID(), publishTime: new Date().toISOString() }, subscription: 'projects/p/subscriptions/telltale' };
}

describe('Gmail mailboxes in mailbox-sync (emulator, Postgres, Kafka)', () => {
  let gmail: GmailTestServer;
  let sync: MailboxSyncUnderTest;
  let mailboxId = '';

  before(async () => {
    gmail = await startGmailTestServer({ emailAddress: REP, redirectUri: 'http://127.0.0.1:9/cb' });
    sync = await startMailboxSyncUnderTest({
      label: 'gmail',
      // Long poll: only pushes can make the tests below pass in time.
      config: gmailServiceConfig(gmail, PUSH_TOKEN, 600_000),
    });
  });

  after(async () => {
    await sync?.stop();
    await gmail?.close();
  });

  /** The consent screen: the emulator answers with the redirect at once. */
  const consent = async (authorizationUrl: string): Promise<string> => (await fetch(authorizationUrl, { redirect: 'manual' })).headers.get('location') ?? '';
  const push = (historyId: string): Promise<Response> =>
    fetch(`${sync.url}/v1/push/gmail?token=${PUSH_TOKEN}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(pushBody(historyId)) });
  const transport = (): Promise<{ state: string; gmail: { accessToken: string } | null }> => sync.transport(mailboxId);

  it('connects through Google OAuth (code + PKCE), stores no token in the view, and syncs the recent window', async () => {
    await gmail.deliver(mime('early@acme.test', 'Before connecting', '<early-1@acme.test>'));
    const { view, oauthState } = await sync.connectOAuth('google', { loginHint: REP }, consent);
    assert.equal(view.provider, 'gmail');
    assert.equal(view.state, 'connected');
    assert.equal(view.emailAddress, REP);
    assert.doesNotMatch(JSON.stringify(view), /ya29|1\/\/rt/);
    mailboxId = view.id;
    const replay = await sync.api(`/v1/mailboxes/oauth/google/callback?code=x&state=${encodeURIComponent(oauthState)}`);
    assert.equal(replay.status, 400, 'a state is single-use');
    await sync.awaitMessage('<early-1@acme.test>', 'initial sync event');
  });

  it('a push wakes the sync: a reply filed under a label arrives once, despite duplicate and out-of-order pushes', async () => {
    const label = await gmail.createLabel('Customers');
    const delivered = await gmail.deliver(mime('buyer@acme.test', 'Re: Proposal', '<reply-7@acme.test>', '<ours-7@telltale.test>'), [label]);
    const pushRaw = (body: unknown, token = PUSH_TOKEN): Promise<Response> => fetch(`${sync.url}/v1/push/gmail?token=${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await pushRaw(pushBody(delivered.historyId), 'wrong-token-wrong-token')).status, 403);
    assert.equal((await pushRaw({ message: { data: 'bm90IGpzb24' }, subscription: 's' })).status, 400);
    const answers = await Promise.all([push(delivered.historyId), push(delivered.historyId), push('1')]);
    assert.deepEqual(answers.map((a) => a.status), [204, 204, 204]);
    const event = await sync.awaitMessage('<reply-7@acme.test>', 'reply event');
    assert.equal(event.mailboxId, mailboxId);
    assert.equal(event.message.folder, label);
    assert.equal(event.message.providerThreadId, delivered.threadId);
    await push(delivered.historyId);
    await gmail.deliver(mime('other@acme.test', 'Marker', '<marker-7@acme.test>'));
    await push('1');
    await sync.awaitMessage('<marker-7@acme.test>', 'marker event');
    assert.equal(sync.received.filter((e) => e.message.messageId === '<reply-7@acme.test>').length, 1, 'exactly one event per message');
  });

  it('hands the sender a short-lived token (never the refresh token) and the shared adapter sends with it', async () => {
    const body = await sync.transport<{ provider: string; state: string; gmail: { apiRootUrl: string; accessToken: string } }>(mailboxId);
    assert.equal(body.provider, 'gmail');
    assert.match(body.gmail.accessToken, /^ya29\./);
    assert.doesNotMatch(JSON.stringify(body), /1\/\/rt/);
    const transport = new GmailMailTransport(gmailApi({ version: 'v1', rootUrl: body.gmail.apiRootUrl }), { accessToken: async () => body.gmail.accessToken });
    const sent = await transport.send({ raw: Buffer.from(mime(REP, 'Hello', '<send-1@telltale.test>').replace(`To: ${REP}`, 'To: buyer@acme.test')), envelope: { from: REP, to: ['buyer@acme.test'] } });
    assert.equal(sent.messageId, '<send-1@telltale.test>');
    assert.ok(sent.providerThreadId);
  });

  it('a revoked grant moves the mailbox to needs_reconnect, emits the change, says so in the API and stops sends', async () => {
    gmail.revokeAll();
    await push('1');
    const change = await sync.awaitNeedsReconnect(mailboxId, 'gmail');
    assert.match(change.reason ?? '', /revoked/);
  });

  /** The whole consent flow again, as the rep would (Google issues a fresh grant). */
  const reconnect = async (): Promise<{ id: string; state: string }> => (await sync.connectOAuth('google', { loginHint: REP }, consent)).view;
  let tokenBeforeDisconnect = '';

  it('reconnecting after needs_reconnect brings the same mailbox back with a fresh grant and watch', async () => {
    const view = await reconnect();
    assert.equal(view.id, mailboxId);
    assert.equal(view.state, 'connected');
    assert.equal(gmail.watching, true);
    const delivered = await gmail.deliver(mime('control@acme.test', 'Control', '<control-8@acme.test>'));
    assert.equal((await push(delivered.historyId)).status, 204);
    await sync.awaitMessage('<control-8@acme.test>', 'positive control event');
    const before = await transport();
    assert.ok(before.gmail?.accessToken);
    tokenBeforeDisconnect = before.gmail.accessToken;
  });

  it('hostile messages (5 000-character subject, 600 References, 200-level nesting, 12 MB, not a message…) never keep a later reply from being seen', async () => {
    await assertHostileMessagesDoNotStallTheMailbox(sync, mailboxId, REP, async (raw) => {
      const delivered = await gmail.deliver(raw);
      await push(delivered.historyId);
    });
  });

  it('a message Gmail will not return (400 at once, 500 five times running) is listed as unreadable; the reply behind it arrives', async () => {
    await assertUnservableMessageDoesNotStallTheMailbox(sync, mailboxId, REP, {
      arm: (status) => gmail.failNext(1_000, status, /^GET \/gmail\/v1\/users\/me\/messages\/[^/]+$/),
      disarm: () => gmail.failNext(0, 500, /$^/),
      deliver: async (raw) => {
        const delivered = await gmail.deliver(raw);
        await push(delivered.historyId);
      },
      nudge: async () => void (await push('1')),
    });
  });

  it('its folders: a typed answer that Gmail follows every label, nothing to choose', async () => {
    const res = await sync.api(`/v1/mailboxes/${mailboxId}/folders`);
    assert.equal(res.status, 200);
    const folders = (await res.json()) as { provider: string; selection: unknown; choosable: boolean; folders: unknown[]; note: string };
    assert.deepEqual({ ...folders, note: undefined }, { mailboxId, provider: 'gmail', selection: 'all', choosable: false, folders: [], truncated: false, note: undefined });
    assert.match(folders.note, /Gmail follows every label/);
  });

  it("another org's DELETE is 404 and changes nothing", async () => {
    await sync.assertOtherOrgCannotDelete(mailboxId);
    assert.equal((await sync.api(`/v1/mailboxes/${randomUUID()}`, { method: 'DELETE' })).status, 404);
    assert.equal(await sync.mailboxState(mailboxId), 'connected');
  });

  it('disconnect: state disconnected + event, users.stop, grant revoked, credentials wiped, no token for sends, sync stopped', async () => {
    const view = await sync.disconnect(mailboxId);
    assert.match(view.replyTracking, /NOT being tracked/);
    await sync.awaitDisconnectedEvent(mailboxId);
    assert.equal(gmail.watching, false, 'users.stop cancelled the watch');
    assert.equal(gmail.stopCount, 1);
    assert.equal(gmail.revocationCount, 1, 'the refresh token was revoked at Google');
    // Revoking the refresh token revoked the access tokens issued from it too.
    await assert.rejects(gmailApi({ version: 'v1', rootUrl: gmail.url }).users.getProfile({ userId: 'me' }, { headers: { Authorization: `Bearer ${tokenBeforeDisconnect}` }, retry: false }), (err: { status?: number }) => err.status === 401);
    await sync.assertCredentialsWiped(mailboxId, ['oauth_scopes', 'push_subscription_id', 'push_client_state']);
    const after = await transport();
    assert.equal(after.state, 'disconnected');
    assert.equal(after.gmail, null);
    assert.doesNotMatch(JSON.stringify(after), /ya29|1\/\/rt/);
    // A push for the mailbox is acknowledged and wakes nothing: the message stays unseen.
    const delivered = await gmail.deliver(mime('late@acme.test', 'While disconnected', '<late-8@acme.test>'));
    assert.equal((await push(delivered.historyId)).status, 204);
    await sync.assertNotSynced('<late-8@acme.test>');
  });

  it('disconnecting again answers the same and does nothing more', async () => {
    await sync.disconnect(mailboxId);
    assert.equal(gmail.stopCount, 1);
    assert.equal(gmail.revocationCount, 1);
    await sync.assertOneDisconnectedEvent(mailboxId);
  });

  it('reconnecting a disconnected mailbox: fresh grant, watch again, and what arrived meanwhile is caught up (cursor kept)', async () => {
    const view = await reconnect();
    assert.equal(view.id, mailboxId);
    assert.equal(view.state, 'connected');
    assert.equal(gmail.watching, true);
    await sync.awaitMessage('<late-8@acme.test>', 'message received while disconnected, on reconnect');
    const change = await waitFor(() => sync.changes.find((c) => c.mailboxId === mailboxId && c.previousState === 'disconnected'), 'reconnect event');
    assert.equal(change.state, 'syncing');
    const t = await transport();
    assert.ok(t.gmail?.accessToken);
    assert.notEqual(t.gmail.accessToken, tokenBeforeDisconnect);
  });

  it('a provider failure while cancelling push does not fail the disconnect', async () => {
    const stops = gmail.stopCount;
    const revocations = gmail.revocationCount;
    gmail.throttleNext(1, 1, /^POST \/gmail\/v1\/users\/me\/stop$/);
    await sync.disconnect(mailboxId);
    assert.equal(gmail.stopCount, stops, 'users.stop answered 429');
    assert.equal(gmail.revocationCount, revocations + 1, 'the grant is revoked all the same');
    const [row] = await sync.sql<{ secret_ciphertext: string | null }>(`SELECT secret_ciphertext FROM mailbox_sync.mailbox WHERE id = $1`, [mailboxId]);
    assert.equal(row!.secret_ciphertext, null);
  });
});
