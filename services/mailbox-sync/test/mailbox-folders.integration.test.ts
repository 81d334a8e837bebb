import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ImapFlow } from 'imapflow';
import { localIdentityHeaders } from '@telltale/runtime';
import { env, startMailboxSyncUnderTest, type MailboxSyncUnderTest } from './support/mailbox-sync-under-test';

/**
 * `GET /v1/mailboxes/:id/folders` (issue 18): the folders an IMAP mailbox really has, with their
 * SPECIAL-USE role and whether they are followed, against GreenMail and (when the harness started
 * it) Dovecot, whose Sent, Drafts, Trash and Junk carry RFC 6154 attributes.
 */
interface Folder {
  path: string;
  name: string;
  role: string | null;
  selectable: boolean;
  followedByDefault: boolean;
  followed: boolean;
}
interface FoldersView {
  mailboxId: string;
  provider: string;
  selection: 'all' | string[];
  choosable: boolean;
  folders: Folder[];
  truncated: boolean;
  note: string | null;
}

const servers = [
  { name: 'GreenMail', host: env('MAIL_HOST'), port: Number(env('IMAP_PORT')), password: 'any', specialUse: false },
  ...(process.env.DOVECOT_IMAP_PORT ? [{ name: 'Dovecot', host: env('DOVECOT_HOST'), port: Number(env('DOVECOT_IMAP_PORT')), password: env('DOVECOT_PASSWORD'), specialUse: true }] : []),
];

for (const server of servers) {
  describe(`the folders of an IMAP mailbox on ${server.name}`, () => {
    const rep = `folders-${randomBytes(4).toString('hex')}@telltale.test`;
    let sync: MailboxSyncUnderTest;
    let mailboxId = '';
    const folders = async (): Promise<FoldersView> => {
      const res = await sync.api(`/v1/mailboxes/${mailboxId}/folders`);
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()) as FoldersView;
    };
    const byPath = (view: FoldersView) => new Map(view.folders.map((f) => [f.path, f]));

    before(async () => {
      sync = await startMailboxSyncUnderTest({ label: `mailbox-folders-${server.name.toLowerCase()}`, config: {} });
      // The rep's mail client made a folder of their own, a Sent and a Trash (GreenMail has no special folders of its own).
      const client = new ImapFlow({ host: server.host, port: server.port, secure: false, auth: { user: rep, pass: server.password }, logger: false, disableAutoIdle: true });
      await client.connect();
      for (const folder of ['Clients', 'Sent', 'Trash']) await client.mailboxCreate([folder]).catch(() => undefined);
      await client.logout();
      const res = await sync.api('/v1/mailboxes', {
        method: 'POST',
        body: JSON.stringify({
          provider: 'imap',
          emailAddress: rep,
          imap: { host: server.host, port: server.port, secure: false },
          smtp: { host: env('MAIL_HOST'), port: Number(env('SMTP_PORT')), secure: false },
          username: rep,
          password: server.password,
        }),
      });
      assert.equal(res.status, 201, await res.clone().text());
      mailboxId = ((await res.json()) as { id: string }).id;
    });

    after(async () => {
      await sync?.stop();
    });

    it("lists the server's folders: INBOX and the rep's own folder followed, Trash not; with 'all' the selection", async () => {
      const view = await folders();
      assert.equal(view.provider, 'imap');
      assert.equal(view.choosable, true);
      assert.equal(view.selection, 'all');
      assert.equal(view.truncated, false);
      const listed = byPath(view);
      assert.deepEqual(listed.get('INBOX'), { path: 'INBOX', name: 'INBOX', role: 'inbox', selectable: true, followedByDefault: true, followed: true });
      assert.equal(listed.get('Clients')?.followed, true);
      assert.equal(listed.get('Clients')?.role, null);
      assert.equal(listed.get('Trash')?.followed, false, 'Trash is never followed by default');
      assert.equal(listed.get('Sent')?.followed, false, 'nor Sent');
      if (server.specialUse) {
        // Dovecot marks its special folders (RFC 6154): the role comes from the server, not the name.
        assert.equal(listed.get('Trash')?.role, 'trash');
        assert.equal(listed.get('Sent')?.role, 'sent');
      }
    });

    it('after PATCH {folders} the list says which are followed; back to all', async () => {
      const patched = await sync.api(`/v1/mailboxes/${mailboxId}`, { method: 'PATCH', body: JSON.stringify({ folders: ['INBOX', 'Trash'] }) });
      assert.equal(patched.status, 200, await patched.clone().text());
      const chosen = await folders();
      assert.deepEqual(chosen.selection, ['INBOX', 'Trash']);
      const listed = byPath(chosen);
      assert.equal(listed.get('Trash')?.followed, true);
      assert.equal(listed.get('Clients')?.followed, false);
      assert.equal(listed.get('Clients')?.followedByDefault, true);
      assert.equal((await sync.api(`/v1/mailboxes/${mailboxId}`, { method: 'PATCH', body: JSON.stringify({ folders: 'all' }) })).status, 200);
      assert.equal(byPath(await folders()).get('Clients')?.followed, true);
    });

    it("another organisation's mailbox or an unknown id is a 404, a malformed id a 400", async () => {
      const foreign = await sync.api(`/v1/mailboxes/${mailboxId}/folders`, { headers: { ...(await localIdentityHeaders(randomUUID())) } });
      assert.equal(foreign.status, 404);
      assert.equal(((await foreign.json()) as { error: string }).error, 'mailbox_not_found');
      assert.equal((await sync.api(`/v1/mailboxes/${randomUUID()}/folders`)).status, 404);
      assert.equal((await sync.api('/v1/mailboxes/not-a-uuid/folders')).status, 400);
    });

    it('a disconnected mailbox answers 409 mailbox_disconnected, never a 500', async () => {
      assert.equal((await sync.api(`/v1/mailboxes/${mailboxId}`, { method: 'DELETE' })).status, 200);
      const res = await sync.api(`/v1/mailboxes/${mailboxId}/folders`);
      assert.equal(res.status, 409);
      assert.equal(((await res.json()) as { error: string }).error, 'mailbox_disconnected');
    });
  });
}
