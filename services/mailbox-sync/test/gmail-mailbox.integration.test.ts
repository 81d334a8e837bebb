import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { google } from 'googleapis';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { Client } from 'pg';
import { GmailMailTransport } from '@telltale/mail';
import type { StartedService } from '@telltale/runtime';
import { createTestDatabase, startGmailTestServer, type GmailTestServer } from '@telltale/testing';
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

const REP = 'rep@example.com';
const ORG = randomUUID();
const PUSH_TOKEN = randomBytes(16).toString('hex');
const INTERNAL = randomBytes(16).toString('hex');
const PREFIX = `gmail-${randomBytes(4).toString('hex')}.`;

function mime(from: string, subject: string, messageId: string, inReplyTo?: string): string {
  return [`From: ${from}`, `To: ${REP}`, `Subject: ${subject}`, `Message-ID: ${messageId}`, 'Date: Fri, 27 Nov 2026 09:00:00 +0000', ...(inReplyTo ? [`In-Reply-To: ${inReplyTo}`] : []), '', 'hi', ''].join('\r\n');
}

function pushBody(historyId: string, emailAddress = REP): unknown {
  return { message: { data: Buffer.from(JSON.stringify({ emailAddress, historyId: Number(historyId) })).toString('base64'), messageId: randomUUID(), publishTime: new Date().toISOString() }, subscription: 'projects/p/subscriptions/telltale' };
}

describe('Gmail mailboxes in mailbox-sync (emulator, Postgres, Kafka)', () => {
  let gmail: GmailTestServer;
  let service: StartedService;
  let db: { url: string; drop(): Promise<void> };
  let consumer: Consumer;
  const received: { mailboxId: string; message: { messageId: string | null; folder: string; providerThreadId: string | null } }[] = [];
  const changes: { mailboxId: string; previousState: string | null; state: string; reason: string | null }[] = [];
  let mailboxId = '';

  before(async () => {
    db = await createTestDatabase(env('DATABASE_URL'));
    gmail = await startGmailTestServer({ emailAddress: REP, redirectUri: 'http://127.0.0.1:9/cb' });
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
        GOOGLE_CLIENT_ID: 'telltale-test.apps.googleusercontent.com',
        GOOGLE_CLIENT_SECRET: 'test-secret',
        GOOGLE_REDIRECT_URI: 'http://127.0.0.1:9/cb',
        GOOGLE_OAUTH_AUTH_URL: gmail.authUrl,
        GOOGLE_OAUTH_TOKEN_URL: gmail.tokenUrl,
        GOOGLE_OAUTH_REVOKE_URL: gmail.revokeUrl,
        GMAIL_API_ROOT_URL: gmail.url,
        // Long poll: only pushes can make the tests below pass in time.
        GMAIL_POLL_MS: '600000',
        GMAIL_PUBSUB_TOPIC: 'projects/telltale-test/topics/gmail',
        GMAIL_PUSH_TOKEN: PUSH_TOKEN,
      }),
    );
    const kafka = new Kafka({ clientId: 'gmail-test', brokers: env('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING });
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
    await gmail?.close();
    await db?.drop();
  });

  const api = (path: string, init: RequestInit = {}): Promise<Response> => fetch(`${service.url}${path}`, { ...init, headers: { 'content-type': 'application/json', 'x-org-id': ORG, ...(init.headers ?? {}) } });

  it('connects through Google OAuth (code + PKCE), stores no token in the view, and syncs the recent window', async () => {
    await gmail.deliver(mime('early@acme.test', 'Before connecting', '<early-1@acme.test>'));
    const start = (await (await api('/v1/mailboxes/oauth/google', { method: 'POST', body: JSON.stringify({ loginHint: REP }) })).json()) as { authorizationUrl: string; state: string };
    const consent = await fetch(start.authorizationUrl, { redirect: 'manual' });
    const callback = new URL(consent.headers.get('location') ?? '');
    const res = await api(`/v1/mailboxes/oauth/google/callback?code=${encodeURIComponent(callback.searchParams.get('code') ?? '')}&state=${encodeURIComponent(start.state)}`);
    assert.equal(res.status, 200);
    const view = (await res.json()) as { id: string; provider: string; state: string; emailAddress: string };
    assert.equal(view.provider, 'gmail');
    assert.equal(view.state, 'connected');
    assert.equal(view.emailAddress, REP);
    assert.doesNotMatch(JSON.stringify(view), /ya29|1\/\/rt/);
    mailboxId = view.id;
    const replay = await api(`/v1/mailboxes/oauth/google/callback?code=x&state=${encodeURIComponent(start.state)}`);
    assert.equal(replay.status, 400, 'a state is single-use');
    await waitFor(() => received.find((e) => e.message.messageId === '<early-1@acme.test>'), 'initial sync event');
  });

  it('a push wakes the sync: a reply filed under a label arrives once, despite duplicate and out-of-order pushes', async () => {
    const label = await gmail.createLabel('Customers');
    const delivered = await gmail.deliver(mime('buyer@acme.test', 'Re: Proposal', '<reply-7@acme.test>', '<ours-7@telltale.test>'), [label]);
    const push = (body: unknown, token = PUSH_TOKEN): Promise<Response> => fetch(`${service.url}/v1/push/gmail?token=${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await push(pushBody(delivered.historyId), 'wrong-token-wrong-token')).status, 403);
    assert.equal((await push({ message: { data: 'bm90IGpzb24' }, subscription: 's' })).status, 400);
    const answers = await Promise.all([push(pushBody(delivered.historyId)), push(pushBody(delivered.historyId)), push(pushBody('1'))]);
    assert.deepEqual(answers.map((a) => a.status), [204, 204, 204]);
    const event = await waitFor(() => received.find((e) => e.message.messageId === '<reply-7@acme.test>'), 'reply event');
    assert.equal(event.mailboxId, mailboxId);
    assert.equal(event.message.folder, label);
    assert.equal(event.message.providerThreadId, delivered.threadId);
    await push(pushBody(delivered.historyId));
    await gmail.deliver(mime('other@acme.test', 'Marker', '<marker-7@acme.test>'));
    await push(pushBody('1'));
    await waitFor(() => received.find((e) => e.message.messageId === '<marker-7@acme.test>'), 'marker event');
    assert.equal(received.filter((e) => e.message.messageId === '<reply-7@acme.test>').length, 1, 'exactly one event per message');
  });

  it('hands the sender a short-lived token (never the refresh token) and the shared adapter sends with it', async () => {
    const res = await fetch(`${service.url}/internal/v1/mailboxes/${mailboxId}/transport`, { headers: { authorization: `Bearer ${INTERNAL}` } });
    const body = (await res.json()) as { provider: string; state: string; gmail: { apiRootUrl: string; accessToken: string } };
    assert.equal(body.provider, 'gmail');
    assert.match(body.gmail.accessToken, /^ya29\./);
    assert.doesNotMatch(JSON.stringify(body), /1\/\/rt/);
    const transport = new GmailMailTransport(google.gmail({ version: 'v1', rootUrl: body.gmail.apiRootUrl }), { accessToken: async () => body.gmail.accessToken });
    const sent = await transport.send({ raw: Buffer.from(mime(REP, 'Hello', '<send-1@telltale.test>').replace(`To: ${REP}`, 'To: buyer@acme.test')), envelope: { from: REP, to: ['buyer@acme.test'] } });
    assert.equal(sent.messageId, '<send-1@telltale.test>');
    assert.ok(sent.providerThreadId);
  });

  it('a revoked grant moves the mailbox to needs_reconnect, emits the change, says so in the API and stops sends', async () => {
    gmail.revokeAll();
    await fetch(`${service.url}/v1/push/gmail?token=${PUSH_TOKEN}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(pushBody('1')) });
    const change = await waitFor(() => changes.find((c) => c.mailboxId === mailboxId && c.state === 'needs_reconnect'), 'needs_reconnect event');
    assert.match(change.reason ?? '', /revoked/);
    const view = (await (await api(`/v1/mailboxes/${mailboxId}`)).json()) as { state: string; replyTracking: string };
    assert.equal(view.state, 'needs_reconnect');
    assert.match(view.replyTracking, /NOT being tracked/);
    const transport = (await (await fetch(`${service.url}/internal/v1/mailboxes/${mailboxId}/transport`, { headers: { authorization: `Bearer ${INTERNAL}` } })).json()) as { state: string; gmail: unknown };
    assert.equal(transport.state, 'needs_reconnect');
    assert.equal(transport.gmail, null);
  });

  const sql = async <T>(text: string, values: unknown[] = []): Promise<T[]> => {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query(text, values)).rows as T[];
    } finally {
      await client.end();
    }
  };
  const push = (historyId: string): Promise<Response> =>
    fetch(`${service.url}/v1/push/gmail?token=${PUSH_TOKEN}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(pushBody(historyId)) });
  const transport = async (): Promise<{ state: string; gmail: { accessToken: string } | null }> =>
    (await (await fetch(`${service.url}/internal/v1/mailboxes/${mailboxId}/transport`, { headers: { authorization: `Bearer ${INTERNAL}` } })).json()) as never;
  /** The whole consent flow again, as the rep would (Google issues a fresh grant). */
  const reconnect = async (): Promise<{ id: string; state: string }> => {
    const start = (await (await api('/v1/mailboxes/oauth/google', { method: 'POST', body: JSON.stringify({ loginHint: REP }) })).json()) as { authorizationUrl: string; state: string };
    const callback = new URL((await fetch(start.authorizationUrl, { redirect: 'manual' })).headers.get('location') ?? '');
    const res = await api(`/v1/mailboxes/oauth/google/callback?code=${encodeURIComponent(callback.searchParams.get('code') ?? '')}&state=${encodeURIComponent(start.state)}`);
    assert.equal(res.status, 200);
    return (await res.json()) as { id: string; state: string };
  };
  let tokenBeforeDisconnect = '';

  it('reconnecting after needs_reconnect brings the same mailbox back with a fresh grant and watch', async () => {
    const view = await reconnect();
    assert.equal(view.id, mailboxId);
    assert.equal(view.state, 'connected');
    assert.equal(gmail.watching, true);
    const delivered = await gmail.deliver(mime('control@acme.test', 'Control', '<control-8@acme.test>'));
    assert.equal((await push(delivered.historyId)).status, 204);
    await waitFor(() => received.find((e) => e.message.messageId === '<control-8@acme.test>'), 'positive control event');
    const before = await transport();
    assert.ok(before.gmail?.accessToken);
    tokenBeforeDisconnect = before.gmail.accessToken;
  });

  it("another org's DELETE is 404 and changes nothing", async () => {
    const res = await api(`/v1/mailboxes/${mailboxId}`, { method: 'DELETE', headers: { 'x-org-id': randomUUID() } });
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: string }).error, 'mailbox_not_found');
    assert.equal((await api(`/v1/mailboxes/${randomUUID()}`, { method: 'DELETE' })).status, 404);
    assert.equal(((await (await api(`/v1/mailboxes/${mailboxId}`)).json()) as { state: string }).state, 'connected');
  });

  it('disconnect: state disconnected + event, users.stop, grant revoked, credentials wiped, no token for sends, sync stopped', async () => {
    const res = await api(`/v1/mailboxes/${mailboxId}`, { method: 'DELETE' });
    assert.equal(res.status, 200);
    const view = (await res.json()) as { id: string; state: string; replyTracking: string };
    assert.equal(view.state, 'disconnected');
    assert.match(view.replyTracking, /NOT being tracked/);
    const change = await waitFor(() => changes.find((c) => c.mailboxId === mailboxId && c.state === 'disconnected'), 'disconnected event');
    assert.equal(change.previousState, 'connected');
    assert.equal(gmail.watching, false, 'users.stop cancelled the watch');
    assert.equal(gmail.stopCount, 1);
    assert.equal(gmail.revocationCount, 1, 'the refresh token was revoked at Google');
    // Revoking the refresh token revoked the access tokens issued from it too.
    await assert.rejects(google.gmail({ version: 'v1', rootUrl: gmail.url }).users.getProfile({ userId: 'me' }, { headers: { Authorization: `Bearer ${tokenBeforeDisconnect}` }, retry: false }), (err: { status?: number }) => err.status === 401);
    const [row] = await sql<Record<string, unknown>>(`SELECT state, secret_key_id, secret_ciphertext, oauth_scopes, push_subscription_id, push_client_state FROM mailbox_sync.mailbox WHERE id = $1`, [mailboxId]);
    assert.deepEqual(row, { state: 'disconnected', secret_key_id: null, secret_ciphertext: null, oauth_scopes: null, push_subscription_id: null, push_client_state: null });
    const after = await transport();
    assert.equal(after.state, 'disconnected');
    assert.equal(after.gmail, null);
    assert.doesNotMatch(JSON.stringify(after), /ya29|1\/\/rt/);
    // A push for the mailbox is acknowledged and wakes nothing: the message stays unseen.
    const delivered = await gmail.deliver(mime('late@acme.test', 'While disconnected', '<late-8@acme.test>'));
    assert.equal((await push(delivered.historyId)).status, 204);
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(received.find((e) => e.message.messageId === '<late-8@acme.test>'), undefined, 'no sync after disconnect');
  });

  it('disconnecting again answers the same and does nothing more', async () => {
    const res = await api(`/v1/mailboxes/${mailboxId}`, { method: 'DELETE' });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { state: string }).state, 'disconnected');
    assert.equal(gmail.stopCount, 1);
    assert.equal(gmail.revocationCount, 1);
    const [events] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM mailbox_sync.outbox WHERE topic LIKE '%mailbox.connection-changed.v1' AND payload->>'mailboxId' = $1 AND payload->>'state' = 'disconnected'`, [mailboxId]);
    assert.equal(events!.n, 1, 'one disconnected event');
  });

  it('reconnecting a disconnected mailbox: fresh grant, watch again, and what arrived meanwhile is caught up (cursor kept)', async () => {
    const view = await reconnect();
    assert.equal(view.id, mailboxId);
    assert.equal(view.state, 'connected');
    assert.equal(gmail.watching, true);
    await waitFor(() => received.find((e) => e.message.messageId === '<late-8@acme.test>'), 'message received while disconnected, on reconnect');
    const change = await waitFor(() => changes.find((c) => c.mailboxId === mailboxId && c.previousState === 'disconnected'), 'reconnect event');
    assert.equal(change.state, 'syncing');
    const t = await transport();
    assert.ok(t.gmail?.accessToken);
    assert.notEqual(t.gmail.accessToken, tokenBeforeDisconnect);
  });

  it('a provider failure while cancelling push does not fail the disconnect', async () => {
    const stops = gmail.stopCount;
    const revocations = gmail.revocationCount;
    gmail.throttleNext(1, 1, /^POST \/gmail\/v1\/users\/me\/stop$/);
    const res = await api(`/v1/mailboxes/${mailboxId}`, { method: 'DELETE' });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { state: string }).state, 'disconnected');
    assert.equal(gmail.stopCount, stops, 'users.stop answered 429');
    assert.equal(gmail.revocationCount, revocations + 1, 'the grant is revoked all the same');
    const [row] = await sql<{ secret_ciphertext: string | null }>(`SELECT secret_ciphertext FROM mailbox_sync.mailbox WHERE id = $1`, [mailboxId]);
    assert.equal(row!.secret_ciphertext, null);
  });
});
