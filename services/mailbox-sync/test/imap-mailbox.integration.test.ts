import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ImapFlow } from 'imapflow';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { Client } from 'pg';
import type { StartedService } from '@telltale/runtime';
import { createTestDatabase } from '@telltale/testing';
import { MailboxSyncConfig, startMailboxSync } from '../src';

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run with \`npm test\``);
  return v;
}

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// GreenMail runs with authentication disabled: any password logs in, and the account appears on first use.
const REP = `rep-${randomBytes(4).toString('hex')}@telltale.test`;
const ORG = randomUUID();
const INTERNAL = randomBytes(16).toString('hex');
const PREFIX = `imap-${randomBytes(4).toString('hex')}.`;

/** Puts a message into the rep's inbox through a separate IMAP session, as delivery would. */
async function deliver(messageId: string, subject: string): Promise<void> {
  const client = new ImapFlow({ host: env('MAIL_HOST'), port: Number(env('IMAP_PORT')), secure: false, auth: { user: REP, pass: 'any' }, logger: false, disableAutoIdle: true });
  await client.connect();
  try {
    const raw = [`From: Buyer <buyer@acme.test>`, `To: ${REP}`, `Subject: ${subject}`, `Message-ID: ${messageId}`, 'Date: Fri, 27 Nov 2026 09:00:00 +0000', '', subject, ''].join('\r\n');
    await client.append('INBOX', raw);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

describe('IMAP mailboxes in mailbox-sync: disconnect and reconnect (GreenMail, Postgres, Kafka)', () => {
  let service: StartedService;
  let db: { url: string; drop(): Promise<void> };
  let consumer: Consumer;
  const received: { mailboxId: string; message: { messageId: string | null } }[] = [];
  const changes: { mailboxId: string; previousState: string | null; state: string }[] = [];
  let mailboxId = '';

  before(async () => {
    db = await createTestDatabase(env('DATABASE_URL'));
    service = await startMailboxSync(
      MailboxSyncConfig.parse({
        DATABASE_URL: db.url,
        KAFKA_BROKERS: env('KAFKA_BROKERS'),
        KAFKA_TOPIC_PREFIX: PREFIX,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        CREDENTIALS_ENCRYPTION_KEYS: `c1:${randomBytes(32).toString('base64')}`,
        INTERNAL_API_TOKEN: INTERNAL,
        // Long poll: only IDLE can make the tests below pass in time.
        MAILBOX_FOLDER_POLL_MS: '600000',
      }),
    );
    const kafka = new Kafka({ clientId: 'imap-test', brokers: env('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING });
    consumer = kafka.consumer({ groupId: `${PREFIX}observer` });
    await consumer.connect();
    await consumer.subscribe({ topics: [`${PREFIX}mailbox.message-received.v1`, `${PREFIX}mailbox.connection-changed.v1`], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const payload = JSON.parse(message.value?.toString('utf8') ?? '{}') as never;
        if (topic.endsWith('message-received.v1')) received.push(payload);
        else changes.push(payload);
      },
    });
  });

  after(async () => {
    await consumer?.disconnect();
    await service?.stop();
    await db?.drop();
  });

  const api = (path: string, init: RequestInit = {}): Promise<Response> => fetch(`${service.url}${path}`, { ...init, headers: { 'content-type': 'application/json', 'x-org-id': ORG, ...(init.headers ?? {}) } });
  const connect = (password: string): Promise<Response> =>
    api('/v1/mailboxes', {
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
  const transport = async (): Promise<{ state: string; smtp: { auth: { user: string; pass: string } | null } }> =>
    (await (await fetch(`${service.url}/internal/v1/mailboxes/${mailboxId}/transport`, { headers: { authorization: `Bearer ${INTERNAL}` } })).json()) as never;
  const sql = async <T>(text: string, values: unknown[] = []): Promise<T[]> => {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query(text, values)).rows as T[];
    } finally {
      await client.end();
    }
  };

  it('connects, follows the inbox with IDLE, hands the sender the password; the same address again is a conflict', async () => {
    const res = await connect('first-password');
    assert.equal(res.status, 201);
    const view = (await res.json()) as { id: string; state: string };
    assert.equal(view.state, 'connected');
    mailboxId = view.id;
    await deliver('<control-1@acme.test>', 'Control');
    await waitFor(() => received.find((e) => e.message.messageId === '<control-1@acme.test>'), 'positive control event');
    assert.equal((await transport()).smtp.auth?.pass, 'first-password');
    assert.equal((await connect('other')).status, 409);
  });

  it("another org's DELETE is 404 and changes nothing", async () => {
    const res = await api(`/v1/mailboxes/${mailboxId}`, { method: 'DELETE', headers: { 'x-org-id': randomUUID() } });
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: string }).error, 'mailbox_not_found');
    assert.equal((await api('/v1/mailboxes/not-a-uuid', { method: 'DELETE' })).status, 400);
    assert.equal(((await (await api(`/v1/mailboxes/${mailboxId}`)).json()) as { state: string }).state, 'connected');
  });

  it('disconnect: state disconnected + event, password wiped, no credentials for sends, IDLE follower stopped', async () => {
    const res = await api(`/v1/mailboxes/${mailboxId}`, { method: 'DELETE' });
    assert.equal(res.status, 200);
    const view = (await res.json()) as { state: string; replyTracking: string };
    assert.equal(view.state, 'disconnected');
    assert.match(view.replyTracking, /NOT being tracked/);
    const change = await waitFor(() => changes.find((c) => c.mailboxId === mailboxId && c.state === 'disconnected'), 'disconnected event');
    assert.equal(change.previousState, 'connected');
    const [row] = await sql<Record<string, unknown>>(`SELECT state, secret_key_id, secret_ciphertext FROM mailbox_sync.mailbox WHERE id = $1`, [mailboxId]);
    assert.deepEqual(row, { state: 'disconnected', secret_key_id: null, secret_ciphertext: null });
    const t = await transport();
    assert.equal(t.state, 'disconnected');
    assert.equal(t.smtp.auth, null);
    assert.doesNotMatch(JSON.stringify(t), /first-password/);
    await deliver('<late-1@acme.test>', 'While disconnected');
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(received.find((e) => e.message.messageId === '<late-1@acme.test>'), undefined, 'no sync after disconnect');
  });

  it('disconnecting again answers the same and does nothing more', async () => {
    const res = await api(`/v1/mailboxes/${mailboxId}`, { method: 'DELETE' });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { state: string }).state, 'disconnected');
    const [events] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM mailbox_sync.outbox WHERE topic LIKE '%mailbox.connection-changed.v1' AND payload->>'mailboxId' = $1 AND payload->>'state' = 'disconnected'`, [mailboxId]);
    assert.equal(events!.n, 1, 'one disconnected event');
  });

  it('connecting the same address again brings the same mailbox back with the new password and catches up (cursor kept)', async () => {
    const res = await connect('second-password');
    assert.equal(res.status, 201);
    const view = (await res.json()) as { id: string; state: string };
    assert.equal(view.id, mailboxId);
    assert.equal(view.state, 'connected');
    await waitFor(() => received.find((e) => e.message.messageId === '<late-1@acme.test>'), 'message received while disconnected, on reconnect');
    assert.equal(received.filter((e) => e.message.messageId === '<control-1@acme.test>').length, 1, 'nothing synced twice');
    await waitFor(() => changes.find((c) => c.mailboxId === mailboxId && c.previousState === 'disconnected' && c.state === 'syncing'), 'reconnect event');
    assert.equal((await transport()).smtp.auth?.pass, 'second-password');
  });
});
