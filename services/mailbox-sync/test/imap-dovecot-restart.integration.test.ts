import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ImapFlow } from 'imapflow';
import { startLocalDovecot, type DovecotEndpoint } from '@telltale/testing';
import { env, startMailboxSyncUnderTest, waitFor, type MailboxSyncUnderTest } from './support/mailbox-sync-under-test';

/**
 * A real IMAP server restarting under a followed mailbox: Dovecot of this file's own (the run's is
 * shared), stopped and started again on its data dir and port. Dovecot keeps UIDVALIDITY across
 * restarts, so the follower resumes from its cursors (GreenMail cannot show this: it changes
 * UIDVALIDITY and loses its mail on every restart); a changed password ends in needs_reconnect.
 */
describe('IMAP on Dovecot: server restarts and a changed password', { skip: process.env.DOVECOT_IMAP_PORT ? false : 'Dovecot is not running (npm test starts it)' }, () => {
  const rep = `rep-${randomBytes(4).toString('hex')}@telltale.test`;
  const dataDir = mkdtempSync(join(tmpdir(), 'telltale-dovecot-restart-'));
  let dovecot: { endpoint: DovecotEndpoint; stop(): Promise<void> } | undefined;
  let sync: MailboxSyncUnderTest;
  let mailboxId = '';
  let password = '';

  const startDovecot = async (withPassword?: string): Promise<void> => {
    dovecot = await startLocalDovecot({ dataDir, log: () => undefined, ...(dovecot ? { port: dovecot.endpoint.imapPort } : {}), ...(withPassword ? { password: withPassword } : {}) });
    password = dovecot.endpoint.password;
  };
  const stopDovecot = async (): Promise<void> => {
    await dovecot?.stop();
  };

  async function append(folder: string, messageId: string): Promise<void> {
    const client = new ImapFlow({ host: dovecot!.endpoint.host, port: dovecot!.endpoint.imapPort, secure: false, auth: { user: rep, pass: password }, logger: false, disableAutoIdle: true });
    await client.connect();
    try {
      if (folder !== 'INBOX') await client.mailboxCreate(folder).catch(() => undefined);
      await client.append(folder, [`From: Buyer <buyer@acme.test>`, `To: ${rep}`, `Subject: Re: ${messageId}`, `Message-ID: ${messageId}`, `Date: ${new Date().toUTCString()}`, '', 'Reply.', ''].join('\r\n'));
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  const cursors = (): Promise<{ folder: string; uid_validity: string; last_uid: string }[]> =>
    sync.sql(`SELECT folder, uid_validity, last_uid FROM mailbox_sync.imap_cursor WHERE mailbox_id = $1 ORDER BY folder`, [mailboxId]);
  const changeAfter = (from: number, state: string, what: string) => waitFor(() => sync.changes.slice(from).find((c) => c.mailboxId === mailboxId && c.state === state), what, 40_000);

  before(async () => {
    await startDovecot();
    sync = await startMailboxSyncUnderTest({ label: 'imap-dovecot-restart', config: { MAILBOX_FOLDER_POLL_MS: '1000' } });
  });

  after(async () => {
    await sync?.stop();
    await stopDovecot();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('connects and reads INBOX and a subfolder', async () => {
    await append('Clients', '<before-restart-0@acme.test>');
    const res = await sync.api('/v1/mailboxes', {
      method: 'POST',
      body: JSON.stringify({
        provider: 'imap',
        emailAddress: rep,
        imap: { host: dovecot!.endpoint.host, port: dovecot!.endpoint.imapPort, secure: false },
        smtp: { host: env('MAIL_HOST'), port: Number(env('SMTP_PORT')), secure: false },
        username: rep,
        password,
      }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    mailboxId = ((await res.json()) as { id: string }).id;
    await append('INBOX', '<before-restart-1@acme.test>');
    await append('Clients', '<before-restart-2@acme.test>');
    await sync.awaitMessage('<before-restart-1@acme.test>', 'INBOX before the restart');
    await sync.awaitMessage('<before-restart-2@acme.test>', 'Clients before the restart');
  });

  it('a restart keeps UIDVALIDITY: the cursors resume, so a reply delivered before the follower reconnected is found, and nothing is read twice', async () => {
    const before = await cursors();
    const from = sync.changes.length;
    await stopDovecot();
    await changeAfter(from, 'degraded', 'degraded while Dovecot is down');
    await startDovecot(password);
    // Delivered at once, before mailbox-sync is connected again: a cursor started afresh would skip it.
    await append('INBOX', '<after-restart-1@acme.test>');
    await append('Clients', '<after-restart-2@acme.test>');
    await changeAfter(from, 'connected', 'connected again');
    await sync.awaitMessage('<after-restart-1@acme.test>', 'the INBOX reply delivered right after the restart');
    await sync.awaitMessage('<after-restart-2@acme.test>', 'the Clients reply delivered right after the restart');
    const afterRestart = await cursors();
    for (const cursor of before) {
      const now = afterRestart.find((c) => c.folder === cursor.folder);
      assert.equal(now?.uid_validity, cursor.uid_validity, `${cursor.folder}: same UIDVALIDITY after the restart`);
      assert.equal(Number(now?.last_uid), Number(cursor.last_uid) + 1, `${cursor.folder}: resumed, one new message read`);
    }
    for (const id of ['<before-restart-0@acme.test>', '<before-restart-1@acme.test>', '<before-restart-2@acme.test>']) {
      assert.ok(sync.received.filter((e) => e.message.messageId === id).length <= 1, `${id} not read twice`);
    }
  });

  it('a password changed on the server: needs_reconnect with the coded error, and POST /reconnect with the new one follows again', async () => {
    const from = sync.changes.length;
    await stopDovecot();
    await startDovecot(`changed-${randomBytes(6).toString('hex')}`);
    const change = await changeAfter(from, 'needs_reconnect', 'needs_reconnect after the password changed');
    assert.ok(change.reason !== null);
    const view = (await (await sync.api(`/v1/mailboxes/${mailboxId}`)).json()) as { state: string; lastErrorCode: string | null };
    assert.equal(view.state, 'needs_reconnect');
    assert.equal(view.lastErrorCode, 'AUTH_REVOKED');
    const res = await sync.api(`/v1/mailboxes/${mailboxId}/reconnect`, { method: 'POST', body: JSON.stringify({ password }) });
    assert.equal(res.status, 200, await res.clone().text());
    await append('INBOX', '<after-password-change@acme.test>');
    await sync.awaitMessage('<after-password-change@acme.test>', 'a reply after reconnecting with the new password');
  });
});
