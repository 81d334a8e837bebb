import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { Client } from 'pg';
import { createGraphClient, GraphMailTransport } from '@telltale/mail';
import type { StartedService } from '@telltale/runtime';
import { createTestDatabase, startGraphTestServer, type GraphTestServer } from '@telltale/testing';
import { findFreePort } from '@telltale/testing/dist/src/infrastructure/free-port';
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

const REP = 'rep@contoso.test';
const ORG = randomUUID();
const INTERNAL = randomBytes(16).toString('hex');
const PREFIX = `graph-${randomBytes(4).toString('hex')}.`;
const REDIRECT = 'http://127.0.0.1:9/ms/callback';

function mime(from: string, subject: string, messageId: string, to = REP): string {
  return [`From: ${from}`, `To: ${to}`, `Subject: ${subject}`, `Message-ID: ${messageId}`, 'Date: Fri, 27 Nov 2026 09:00:00 +0000', '', 'hi', ''].join('\r\n');
}

describe('Microsoft 365 mailboxes in mailbox-sync (Graph fake over TLS, Postgres, Kafka)', () => {
  let graph: GraphTestServer;
  let service: StartedService;
  let db: { url: string; drop(): Promise<void> };
  let consumer: Consumer;
  const received: { mailboxId: string; message: { messageId: string | null; folder: string; providerThreadId: string | null } }[] = [];
  const changes: { mailboxId: string; previousState: string | null; state: string }[] = [];
  let mailboxId = '';

  before(async () => {
    db = await createTestDatabase(env('DATABASE_URL'));
    graph = await startGraphTestServer({ emailAddress: REP });
    const port = await findFreePort();
    service = await startMailboxSync(
      MailboxSyncConfig.parse({
        DATABASE_URL: db.url,
        KAFKA_BROKERS: env('KAFKA_BROKERS'),
        KAFKA_TOPIC_PREFIX: PREFIX,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        CREDENTIALS_ENCRYPTION_KEYS: `c1:${randomBytes(32).toString('base64')}`,
        INTERNAL_API_TOKEN: INTERNAL,
        MS_CLIENT_ID: 'telltale-test-app',
        MS_CLIENT_SECRET: 'test-secret',
        MS_REDIRECT_URI: REDIRECT,
        MS_AUTHORITY: graph.authority,
        GRAPH_ORIGIN: graph.origin,
        GRAPH_CA_PEM: graph.ca,
        // Long poll: only notifications can make the tests below pass in time.
        GRAPH_POLL_MS: '600000',
        GRAPH_NOTIFICATION_URL: `http://127.0.0.1:${port}/v1/push/graph`,
      }),
    );
    const kafka = new Kafka({ clientId: 'graph-test', brokers: env('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING });
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
    await graph?.close();
    await db?.drop();
  });

  const api = (path: string, init: RequestInit = {}): Promise<Response> => fetch(`${service.url}${path}`, { ...init, headers: { 'content-type': 'application/json', 'x-org-id': ORG, ...(init.headers ?? {}) } });

  it('connects with authorization code + PKCE + offline_access, syncs, and subscribes with the validationToken handshake', async () => {
    graph.deliver(mime('early@fabrikam.test', 'Before connecting', '<early-1@fabrikam.test>'));
    const start = (await (await api('/v1/mailboxes/oauth/microsoft', { method: 'POST', body: '{}' })).json()) as { authorizationUrl: string; state: string };
    assert.match(start.authorizationUrl, /offline_access/);
    assert.match(start.authorizationUrl, /code_challenge_method=S256/);
    // The authority is the TLS fake; the browser step is replayed through Node https with the test CA.
    const callback = new URL(await authorize(start.authorizationUrl, graph.ca));
    const res = await api(`/v1/mailboxes/oauth/microsoft/callback?code=${encodeURIComponent(callback.searchParams.get('code') ?? '')}&state=${encodeURIComponent(start.state)}`);
    assert.equal(res.status, 200);
    const view = (await res.json()) as { id: string; provider: string; state: string; emailAddress: string };
    assert.equal(view.provider, 'graph');
    assert.equal(view.state, 'connected');
    assert.equal(view.emailAddress, REP);
    mailboxId = view.id;
    await waitFor(() => received.find((e) => e.message.messageId === '<early-1@fabrikam.test>'), 'initial sync event');
    assert.equal(graph.subscriptions.length, 1, 'subscription created after the handshake');
    assert.equal(graph.subscriptions[0]!.resource, 'me/messages');
  });

  it('a notification wakes delta sync: a reply a rule filed into Archive arrives once; a wrong clientState is ignored', async () => {
    const delivered = graph.deliver(mime('buyer@fabrikam.test', 'Re: Proposal', '<reply-9@fabrikam.test>'), 'Archive');
    const event = await waitFor(() => received.find((e) => e.message.messageId === '<reply-9@fabrikam.test>'), 'reply event');
    assert.equal(event.mailboxId, mailboxId);
    assert.equal(event.message.folder, 'Archive');
    assert.equal(event.message.providerThreadId, delivered.conversationId);
    const sub = graph.subscriptions[0]!;
    const forged = await fetch(`${service.url}/v1/push/graph`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value: [{ subscriptionId: sub.id, clientState: 'forged', changeType: 'created' }] }) });
    assert.equal(forged.status, 202);
    const replay = await fetch(`${service.url}/v1/push/graph`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value: [{ subscriptionId: sub.id, clientState: sub.clientState, changeType: 'created' }] }) });
    assert.equal(replay.status, 202);
    graph.deliver(mime('x@fabrikam.test', 'Marker', '<marker-9@fabrikam.test>'));
    await waitFor(() => received.find((e) => e.message.messageId === '<marker-9@fabrikam.test>'), 'marker event');
    assert.equal(received.filter((e) => e.message.messageId === '<reply-9@fabrikam.test>').length, 1);
  });

  it('a "missed" lifecycle notification makes it sync what Graph never announced', async () => {
    graph.deliver(mime('quiet@fabrikam.test', 'Unannounced', '<quiet-9@fabrikam.test>'), 'Inbox', { notify: false });
    await graph.sendLifecycle('missed');
    await waitFor(() => received.find((e) => e.message.messageId === '<quiet-9@fabrikam.test>'), 'event after missed');
    assert.equal(graph.subscriptions[0]!.lifecycleNotificationUrl, graph.subscriptions[0]!.notificationUrl);
  });

  it('hands the sender a short-lived token, and the shared Graph adapter sends as draft + send', async () => {
    const body = (await (await fetch(`${service.url}/internal/v1/mailboxes/${mailboxId}/transport`, { headers: { authorization: `Bearer ${INTERNAL}` } })).json()) as { provider: string; graph: { origin: string; caPem: string | null; accessToken: string } };
    assert.equal(body.provider, 'graph');
    assert.doesNotMatch(JSON.stringify(body), /M\.R3_/);
    const token = body.graph.accessToken;
    const transport = new GraphMailTransport(createGraphClient({ tokens: { accessToken: async () => token }, origin: body.graph.origin, ...(body.graph.caPem ? { ca: body.graph.caPem } : {}) }));
    const sent = await transport.send({ raw: Buffer.from(mime(REP, 'Hello', '<send-9@telltale.test>', 'buyer@fabrikam.test')), envelope: { from: REP, to: ['buyer@fabrikam.test'] } });
    assert.equal(sent.messageId, '<send-9@telltale.test>');
    assert.ok(sent.providerThreadId);
  });

  it('revocation: needs_reconnect, connection-changed event, the API says so, no token for sends', async () => {
    graph.revokeAll();
    graph.deliver(mime('late@fabrikam.test', 'After revocation', '<late-9@fabrikam.test>'));
    await waitFor(() => changes.find((c) => c.mailboxId === mailboxId && c.state === 'needs_reconnect'), 'needs_reconnect event');
    const view = (await (await api(`/v1/mailboxes/${mailboxId}`)).json()) as { state: string; replyTracking: string };
    assert.equal(view.state, 'needs_reconnect');
    assert.match(view.replyTracking, /NOT being tracked/);
    const transport = (await (await fetch(`${service.url}/internal/v1/mailboxes/${mailboxId}/transport`, { headers: { authorization: `Bearer ${INTERNAL}` } })).json()) as { state: string; graph: unknown };
    assert.equal(transport.state, 'needs_reconnect');
    assert.equal(transport.graph, null);
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
  const transport = async (): Promise<{ state: string; graph: { accessToken: string } | null }> =>
    (await (await fetch(`${service.url}/internal/v1/mailboxes/${mailboxId}/transport`, { headers: { authorization: `Bearer ${INTERNAL}` } })).json()) as never;
  const reconnect = async (): Promise<{ id: string; state: string }> => {
    const start = (await (await api('/v1/mailboxes/oauth/microsoft', { method: 'POST', body: '{}' })).json()) as { authorizationUrl: string; state: string };
    const callback = new URL(await authorize(start.authorizationUrl, graph.ca));
    const res = await api(`/v1/mailboxes/oauth/microsoft/callback?code=${encodeURIComponent(callback.searchParams.get('code') ?? '')}&state=${encodeURIComponent(start.state)}`);
    assert.equal(res.status, 200);
    return (await res.json()) as { id: string; state: string };
  };
  let oldSubscription: { id: string; clientState: string | undefined } = { id: '', clientState: undefined };

  it('reconnecting after needs_reconnect brings the same mailbox back, subscribed', async () => {
    const view = await reconnect();
    assert.equal(view.id, mailboxId);
    assert.equal(view.state, 'connected');
    assert.equal(graph.subscriptions.length, 1);
    graph.deliver(mime('control@fabrikam.test', 'Control', '<control-9@fabrikam.test>'));
    await waitFor(() => received.find((e) => e.message.messageId === '<control-9@fabrikam.test>'), 'positive control event');
    oldSubscription = { id: graph.subscriptions[0]!.id, clientState: graph.subscriptions[0]!.clientState };
  });

  it("another org's DELETE is 404 and changes nothing", async () => {
    const res = await api(`/v1/mailboxes/${mailboxId}`, { method: 'DELETE', headers: { 'x-org-id': randomUUID() } });
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: string }).error, 'mailbox_not_found');
    assert.equal(graph.subscriptions.length, 1);
    assert.equal(((await (await api(`/v1/mailboxes/${mailboxId}`)).json()) as { state: string }).state, 'connected');
  });

  it('disconnect: state disconnected + event, subscription deleted, credentials wiped, no token for sends, notifications ignored', async () => {
    const res = await api(`/v1/mailboxes/${mailboxId}`, { method: 'DELETE' });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { state: string }).state, 'disconnected');
    const change = await waitFor(() => changes.find((c) => c.mailboxId === mailboxId && c.state === 'disconnected'), 'disconnected event');
    assert.equal(change.previousState, 'connected');
    assert.equal(graph.subscriptions.length, 0, 'the subscription was deleted at Graph');
    const [row] = await sql<Record<string, unknown>>(`SELECT state, secret_key_id, secret_ciphertext, oauth_scopes, push_subscription_id, push_client_state FROM mailbox_sync.mailbox WHERE id = $1`, [mailboxId]);
    assert.deepEqual(row, { state: 'disconnected', secret_key_id: null, secret_ciphertext: null, oauth_scopes: null, push_subscription_id: null, push_client_state: null });
    const after = await transport();
    assert.equal(after.state, 'disconnected');
    assert.equal(after.graph, null);
    // A late notification on the old subscription is acknowledged and wakes nothing.
    graph.deliver(mime('late@fabrikam.test', 'While disconnected', '<late-9b@fabrikam.test>'));
    const late = await fetch(`${service.url}/v1/push/graph`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value: [{ subscriptionId: oldSubscription.id, clientState: oldSubscription.clientState, changeType: 'created' }] }) });
    assert.equal(late.status, 202);
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(received.find((e) => e.message.messageId === '<late-9b@fabrikam.test>'), undefined, 'no sync after disconnect');
  });

  it('disconnecting again answers the same and does nothing more', async () => {
    const res = await api(`/v1/mailboxes/${mailboxId}`, { method: 'DELETE' });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { state: string }).state, 'disconnected');
    const [events] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM mailbox_sync.outbox WHERE topic LIKE '%mailbox.connection-changed.v1' AND payload->>'mailboxId' = $1 AND payload->>'state' = 'disconnected'`, [mailboxId]);
    assert.equal(events!.n, 1, 'one disconnected event');
  });

  it('reconnecting a disconnected mailbox: fresh grant, a new subscription, and what arrived meanwhile is caught up (cursor kept)', async () => {
    const view = await reconnect();
    assert.equal(view.id, mailboxId);
    assert.equal(view.state, 'connected');
    assert.equal(graph.subscriptions.length, 1);
    assert.notEqual(graph.subscriptions[0]!.id, oldSubscription.id);
    await waitFor(() => received.find((e) => e.message.messageId === '<late-9b@fabrikam.test>'), 'message received while disconnected, on reconnect');
    assert.ok((await transport()).graph?.accessToken);
  });

  it('a Graph failure while deleting the subscription does not fail the disconnect', async () => {
    graph.throttleNext(1, 1, /^DELETE \/v1\.0\/subscriptions\//);
    const res = await api(`/v1/mailboxes/${mailboxId}`, { method: 'DELETE' });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { state: string }).state, 'disconnected');
    assert.equal(graph.subscriptions.length, 1, 'Graph answered 429; the subscription is left to expire');
    const [row] = await sql<{ secret_ciphertext: string | null; push_subscription_id: string | null }>(`SELECT secret_ciphertext, push_subscription_id FROM mailbox_sync.mailbox WHERE id = $1`, [mailboxId]);
    assert.deepEqual(row, { secret_ciphertext: null, push_subscription_id: null });
  });
});

/** The consent screen, followed with Node https and the test CA (fetch cannot take a CA per call). */
async function authorize(url: string, ca: string): Promise<string> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(url, { ca }, (res) => {
      res.resume();
      resolve(res.headers.location ?? '');
    });
    req.on('error', reject);
    req.end();
  });
}
