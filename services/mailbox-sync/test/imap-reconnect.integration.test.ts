import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { localIdentityHeaders } from '@telltale/runtime';
import type { MailboxRow } from '../src/mailboxes/mailbox-record';
import { reconnectProblem } from '../src/mailboxes/mailboxes.service';
import { env, waitFor, startMailboxSyncUnderTest, type MailboxSyncUnderTest } from './support/mailbox-sync-under-test';

/**
 * Issue 13: `POST /v1/mailboxes/:id/reconnect` gives an IMAP mailbox that needs reconnecting (its
 * password changed) or was disconnected a new password on its stored servers, against the real
 * service and GreenMail: both logins checked first, then it syncs again and the sender gets the new
 * credentials. Gmail and Microsoft mailboxes reconnect through their OAuth flow instead.
 */

interface Transport {
  state: string;
  smtp: { auth: { user: string; pass: string } | null };
}

describe('reconnecting an IMAP mailbox with a new password', () => {
  let sync: MailboxSyncUnderTest;
  const address = `reconnect-${randomBytes(4).toString('hex')}@telltale.test`;
  let mailboxId: string;

  before(async () => {
    sync = await startMailboxSyncUnderTest({ label: 'reconnect', config: { MAILBOX_CONNECT_TIMEOUT_MS: '5000' } });
    const res = await sync.api('/v1/mailboxes', {
      method: 'POST',
      body: JSON.stringify({
        provider: 'imap',
        emailAddress: address,
        imap: { host: env('MAIL_HOST'), port: Number(env('IMAP_PORT')), secure: false },
        smtp: { host: env('MAIL_HOST'), port: Number(env('SMTP_PORT')), secure: false },
        username: address,
        password: 'old-password',
      }),
    });
    const body = (await res.json()) as { id: string };
    assert.equal(res.status, 201, JSON.stringify(body));
    mailboxId = body.id;
    await waitFor(async () => ((await sync.mailboxState(mailboxId)) === 'connected' ? true : undefined), 'the first sync');
  });

  after(async () => {
    await sync?.stop();
  });

  const reconnect = (body: unknown, id = mailboxId, headers: Record<string, string> = {}) =>
    sync.api(`/v1/mailboxes/${id}/reconnect`, { method: 'POST', body: JSON.stringify(body), headers });

  it('is refused while the mailbox is connected: nothing to reconnect', async () => {
    const res = await reconnect({ password: 'new-password' });
    assert.equal(res.status, 409);
    assert.equal(((await res.json()) as { error: string }).error, 'mailbox_connected');
  });

  it('a mailbox that needs reconnecting syncs again with the new password, which the sender is handed', async () => {
    // What the follower does when the server refuses the old password (GreenMail accepts any).
    await sync.sql(`UPDATE mailbox_sync.mailbox SET state = 'needs_reconnect', last_error = 'The IMAP server refused the login.' WHERE id = $1`, [mailboxId]);
    const res = await reconnect({ password: 'new-password' });
    const view = (await res.json()) as { id: string; state: string; emailAddress: string; replyTracking: string };
    assert.equal(res.status, 200, JSON.stringify(view));
    assert.equal(view.id, mailboxId, 'the same mailbox');
    assert.ok(['connected', 'syncing'].includes(view.state), view.state);
    assert.doesNotMatch(JSON.stringify(view), /new-password/, 'the password is never in the answer');
    await waitFor(async () => ((await sync.mailboxState(mailboxId)) === 'connected' ? true : undefined), 'connected again');
    const transport = await sync.transport<Transport>(mailboxId);
    assert.equal(transport.smtp.auth?.pass, 'new-password');
    const change = await waitFor(() => sync.changes.find((c) => c.mailboxId === mailboxId && c.previousState === 'needs_reconnect' && c.state === 'syncing'), 'the reconnect event');
    const [row] = await sync.sql<{ owner_user_id: string | null }>(`SELECT owner_user_id FROM mailbox_sync.mailbox WHERE id = $1`, [mailboxId]);
    assert.ok(row?.owner_user_id, 'the mailbox has the owner who connected it');
    assert.equal(change.ownerUserId, row.owner_user_id, 'the event names the owner (the app’s feed reads it)');
  });

  it('a disconnected mailbox comes back the same way, with a new username too', async () => {
    await sync.disconnect(mailboxId);
    const res = await reconnect({ password: 'third-password', username: address.toUpperCase() });
    assert.equal(res.status, 200);
    await waitFor(async () => ((await sync.mailboxState(mailboxId)) === 'connected' ? true : undefined), 'connected again');
    const transport = await sync.transport<Transport>(mailboxId);
    assert.deepEqual(transport.smtp.auth, { user: address.toUpperCase(), pass: 'third-password' });
  });

  it('a bad body is a 400, an unknown or another organisation’s mailbox a 404', async () => {
    for (const body of [{}, { password: '' }, { password: 'x', imap: {} }, { password: 'x'.repeat(1025) }]) {
      const res = await reconnect(body);
      assert.equal(res.status, 400, JSON.stringify(body));
    }
    assert.equal((await reconnect({ password: 'x' }, randomUUID())).status, 404);
    assert.equal((await reconnect({ password: 'x' }, mailboxId, await localIdentityHeaders(randomUUID()))).status, 404);
    assert.equal((await reconnect({ password: 'x' }, mailboxId, await localIdentityHeaders(randomUUID(), { roles: ['rep'] }))).status, 404);
  });
});

describe('which mailboxes reconnect with a password', () => {
  const row = (over: Partial<MailboxRow>): MailboxRow =>
    ({ provider: 'imap', state: 'needs_reconnect', imap_host: 'imap.example.com', imap_port: 993, smtp_host: 'smtp.example.com', smtp_port: 465, ...over }) as MailboxRow;
  it('IMAP in needs_reconnect or disconnected: yes', () => {
    assert.equal(reconnectProblem(row({})), null);
    assert.equal(reconnectProblem(row({ state: 'disconnected' })), null);
  });
  it('connected or syncing: nothing to reconnect', () => {
    assert.equal(reconnectProblem(row({ state: 'connected' }))?.error, 'mailbox_connected');
    assert.equal(reconnectProblem(row({ state: 'syncing' }))?.error, 'mailbox_connected');
  });
  it('Gmail and Microsoft: through their sign-in flow', () => {
    assert.match(reconnectProblem(row({ provider: 'gmail', imap_host: null }))?.message ?? '', /oauth\/google/);
    assert.match(reconnectProblem(row({ provider: 'graph', imap_host: null }))?.message ?? '', /oauth\/microsoft/);
  });
});
