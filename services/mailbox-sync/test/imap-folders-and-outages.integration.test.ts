import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ImapFlow } from 'imapflow';
import { TcpRelay } from '@telltale/testing';
import { env, startMailboxSyncUnderTest, waitFor, type MailboxSyncUnderTest } from './support/mailbox-sync-under-test';

/**
 * The IMAP servers these tests run against: GreenMail (any password logs in) and, when the harness
 * started it, Dovecot from Debian (a static password, so a wrong one is refused; SPECIAL-USE).
 */
interface ImapServer {
  name: string;
  host: string;
  imapPort: number;
  password: string;
  /** Whether a wrong password is refused (GreenMail accepts any). */
  checksPasswords: boolean;
}

function servers(): ImapServer[] {
  const list: ImapServer[] = [{ name: 'GreenMail', host: env('MAIL_HOST'), imapPort: Number(env('IMAP_PORT')), password: 'any', checksPasswords: false }];
  if (process.env.DOVECOT_IMAP_PORT) {
    list.push({ name: 'Dovecot', host: env('DOVECOT_HOST'), imapPort: Number(env('DOVECOT_IMAP_PORT')), password: env('DOVECOT_PASSWORD'), checksPasswords: true });
  }
  return list;
}

interface View {
  id: string;
  state: string;
  folders: string[] | 'all';
  lastError: string | null;
  lastErrorCode: string | null;
  stateSince: string | null;
  replyTracking: string;
}

for (const server of servers()) {
  describe(`IMAP on ${server.name}: every folder a reply can land in, and outages people can see`, () => {
    const rep = `rep-${randomBytes(4).toString('hex')}@telltale.test`;
    let sync: MailboxSyncUnderTest;
    let proxy: TcpRelay;
    let mailboxId = '';

    /** The rep's own IMAP session, straight to the server: what their mail client and its rules do. */
    async function asRep<T>(work: (client: ImapFlow) => Promise<T>): Promise<T> {
      const client = new ImapFlow({ host: server.host, port: server.imapPort, secure: false, auth: { user: rep, pass: server.password }, logger: false, disableAutoIdle: true });
      await client.connect();
      try {
        return await work(client);
      } finally {
        await client.logout().catch(() => client.close());
      }
    }

    const message = (messageId: string, subject: string): string =>
      [`From: Buyer <buyer@acme.test>`, `To: ${rep}`, `Subject: ${subject}`, `Message-ID: ${messageId}`, `Date: ${new Date().toUTCString()}`, '', subject, ''].join('\r\n');

    /** Files a message into `path` (created when missing), as a mail rule would. */
    const file = (path: string[], messageId: string, subject: string): Promise<void> =>
      asRep(async (client) => {
        const created = await client.mailboxCreate(path).catch(() => null);
        const target = created?.path ?? path.join((await client.list()).find((f) => f.path.toUpperCase() === 'INBOX')?.delimiter ?? '/');
        await client.append(target, message(messageId, subject));
      });

    const view = async (): Promise<View> => (await (await sync.api(`/v1/mailboxes/${mailboxId}`)).json()) as View;
    const patch = (body: unknown): Promise<Response> => sync.api(`/v1/mailboxes/${mailboxId}`, { method: 'PATCH', body: JSON.stringify(body) });

    before(async () => {
      proxy = await TcpRelay.start(server.host, server.imapPort);
      sync = await startMailboxSyncUnderTest({ label: `imap-folders-${server.name.toLowerCase()}`, config: { MAILBOX_FOLDER_POLL_MS: '1000' } });
      // The rep's account exists (Dovecot creates it at first login) with a Clients folder already there.
      await asRep((client) => client.mailboxCreate(['Clients']).catch(() => undefined));
    });

    after(async () => {
      await sync?.stop();
      await proxy?.stop();
    });

    const connect = (password: string): Promise<Response> =>
      sync.api('/v1/mailboxes', {
        method: 'POST',
        body: JSON.stringify({
          provider: 'imap',
          emailAddress: rep,
          // Through the relay, so the server can "go away" for this mailbox only.
          imap: { host: '127.0.0.1', port: proxy.port, secure: false },
          smtp: { host: env('MAIL_HOST'), port: Number(env('SMTP_PORT')), secure: false },
          username: rep,
          password,
        }),
      });

    if (server.checksPasswords) {
      it('a wrong password is refused before anything is stored (422), the right one connects', async () => {
        const refused = await connect('not-the-password');
        assert.equal(refused.status, 422, await refused.text());
      });
    }

    it('follows every folder by default: a reply filed into a subfolder is seen; Sent, Drafts, Trash and Junk are not followed', async () => {
      const res = await connect(server.password);
      assert.equal(res.status, 201, await res.clone().text());
      const connected = (await res.json()) as View;
      mailboxId = connected.id;
      assert.equal(connected.state, 'connected');
      assert.equal(connected.folders, 'all');
      assert.ok(connected.stateSince !== null);

      await file(['Clients'], '<filed-1@acme.test>', 'Re: Proposal (filed by a rule)');
      const event = await sync.awaitMessage('<filed-1@acme.test>', 'the reply filed into Clients');
      assert.match(event.message.folder, /Clients/);
      await file(['Clients', 'Acme'], '<filed-2@acme.test>', 'Re: Proposal (filed deeper)');
      await sync.awaitMessage('<filed-2@acme.test>', 'the reply filed into Clients/Acme');

      for (const folder of ['Sent', 'Trash', 'Junk', 'Drafts']) await file([folder], `<not-followed-${folder}@acme.test>`, `In ${folder}`);
      await file(['INBOX'], '<control-after-skipped@acme.test>', 'Control');
      await sync.awaitMessage('<control-after-skipped@acme.test>', 'the control in INBOX');
      // Two polls later, nothing from the skipped folders.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      for (const folder of ['Sent', 'Trash', 'Junk', 'Drafts']) {
        assert.equal(sync.received.find((e) => e.message.messageId === `<not-followed-${folder}@acme.test>`), undefined, `${folder} is not followed`);
      }
    });

    it('a folder created after connecting, with mail already in it, is followed and read back', async () => {
      const name = `Rules-${randomBytes(3).toString('hex')}`;
      // Created and filled in one go, between two polls: the message is already there when the folder is first seen.
      await file([name], '<created-later-1@acme.test>', 'Re: Proposal (new folder)');
      const event = await sync.awaitMessage('<created-later-1@acme.test>', 'the reply in a folder created after connecting');
      assert.match(event.message.folder, new RegExp(name));
    });

    it('PATCH narrows the folders without reconnecting, and widening again finds what was filed meanwhile', async () => {
      const bad = await patch({ folders: [] });
      assert.equal(bad.status, 400);
      const narrowed = await patch({ folders: ['INBOX'] });
      assert.equal(narrowed.status, 200, await narrowed.clone().text());
      assert.deepEqual(((await narrowed.json()) as View).folders, ['INBOX']);
      await file(['Clients'], '<while-narrowed@acme.test>', 'Re: Proposal (while only INBOX is followed)');
      await file(['INBOX'], '<control-narrowed@acme.test>', 'Control');
      await sync.awaitMessage('<control-narrowed@acme.test>', 'INBOX still followed');
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      assert.equal(sync.received.find((e) => e.message.messageId === '<while-narrowed@acme.test>'), undefined, 'Clients is not followed while narrowed');

      const widened = await patch({ folders: 'all' });
      assert.equal(widened.status, 200);
      assert.equal(((await widened.json()) as View).folders, 'all');
      // Its cursor stayed where it was: what was filed meanwhile is read now.
      await sync.awaitMessage('<while-narrowed@acme.test>', 'the reply filed while Clients was not followed');
      assert.equal(sync.received.filter((e) => e.message.messageId === '<filed-1@acme.test>').length, 1, 'nothing read twice');
    });

    it('a reply moved from INBOX into a followed folder (MOVE, or COPY + EXPUNGE without it) is reported once', async () => {
      await file(['INBOX'], '<moved-1@acme.test>', 'Re: Proposal (moved by the rep)');
      await sync.awaitMessage('<moved-1@acme.test>', 'the reply in INBOX');
      await asRep(async (client) => {
        await client.mailboxOpen('INBOX');
        const [uid] = (await client.search({ header: { 'message-id': '<moved-1@acme.test>' } }, { uid: true })) || [];
        assert.ok(uid !== undefined, 'the reply is in INBOX');
        await client.messageMove(String(uid), 'Clients', { uid: true });
      });
      await file(['Clients'], '<after-move@acme.test>', 'Control after the move');
      await sync.awaitMessage('<after-move@acme.test>', 'Clients read after the move');
      assert.equal(sync.received.filter((e) => e.message.messageId === '<moved-1@acme.test>').length, 1, 'one event for the moved reply');
    });

    const outage = async (label: string, downMs: number): Promise<void> => {
      const before = sync.changes.length;
      await proxy.down();
      const degraded = await waitFor(() => sync.changes.slice(before).find((c) => c.mailboxId === mailboxId && c.state === 'degraded'), `${label}: degraded event`);
      assert.ok(degraded.reason !== null);
      const shown = await view();
      assert.equal(shown.state, 'degraded');
      assert.ok(shown.lastErrorCode !== null, 'the coded error is shown');
      assert.ok(shown.stateSince !== null && Date.parse(shown.stateSince) <= Date.now());
      assert.match(shown.replyTracking, /cannot be reached/);
      // A reply arrives while the server cannot be reached from mailbox-sync.
      const messageId = `<during-${label}@acme.test>`;
      await file(['Clients'], messageId, `Re: Proposal (${label})`);
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await proxy.up();
      const back = Date.now();
      await waitFor(() => sync.changes.slice(before).find((c) => c.mailboxId === mailboxId && c.state === 'connected' && c.previousState === 'degraded'), `${label}: connected again`, 30_000);
      await sync.awaitMessage(messageId, `${label}: the reply that arrived during the outage`);
      const detectedAfterMs = Date.now() - back;
      assert.ok(detectedAfterMs < 30_000, `detection resumed ${detectedAfterMs} ms after the server came back`);
      assert.equal((await view()).state, 'connected');
      assert.equal((await view()).lastErrorCode, null);
    };

    it('an outage shorter than the retry cap: degraded with the coded error and since when, then connected again and the reply found', async () => {
      await outage('short-outage', 3_000);
    });

    it('an outage longer than the retry cap (20 s): detection resumes within 30 s of the server coming back', { timeout: 120_000 }, async () => {
      await outage('long-outage', 25_000);
    });
  });
}
