import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { MailboxMessageReceived, type InboundMessagePayload } from '@telltale/contracts';
import { sampleValue } from '@telltale/metrics';
import { createTestDatabase, eventually, hostileMessages, queryRows, type GmailTestServer } from '@telltale/testing';
import { MailboxSyncConfig, startMailboxSync } from '../../src';
import { localIdentityHeaders, sharedLocalIdentity } from '@telltale/runtime';


/**
 * mailbox-sync started in this process with its real wiring (`startMailboxSync`, as main.ts does)
 * on a test database of its own and a fresh Kafka topic prefix, with every event it publishes
 * recorded, and the calls its integration tests make over HTTP, SQL and Kafka. What is particular
 * to a provider (its fake, its config, how it is made to sync) stays in the provider's test file.
 */

export function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run with \`npm test\``);
  return v;
}

/** mailbox-sync's Gmail settings against the Gmail emulator, polling every pollMs (pushes come with pushToken). */
export function gmailServiceConfig(gmail: Pick<GmailTestServer, 'authUrl' | 'tokenUrl' | 'revokeUrl' | 'url'>, pushToken: string, pollMs: number): Record<string, string> {
  return {
    GOOGLE_CLIENT_ID: 'telltale-test.apps.googleusercontent.com',
    GOOGLE_CLIENT_SECRET: 'test-secret',
    GOOGLE_REDIRECT_URI: 'http://127.0.0.1:9/cb',
    GOOGLE_OAUTH_AUTH_URL: gmail.authUrl,
    GOOGLE_OAUTH_TOKEN_URL: gmail.tokenUrl,
    GOOGLE_OAUTH_REVOKE_URL: gmail.revokeUrl,
    GMAIL_API_ROOT_URL: gmail.url,
    GMAIL_POLL_MS: String(pollMs),
    GMAIL_PUBSUB_TOPIC: 'projects/telltale-test/topics/gmail',
    GMAIL_PUSH_TOKEN: pushToken,
  };
}

export function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  return eventually(what, probe, { timeoutMs, intervalMs: 50 });
}

/** A mailbox.message-received.v1 payload, as far as the tests read it. */
export interface ReceivedEvent {
  mailboxId: string;
  message: { messageId: string | null; folder: string; providerThreadId: string | null };
}

/** A mailbox.connection-changed.v1 payload, as far as the tests read it. */
export interface ConnectionChange {
  mailboxId: string;
  previousState: string | null;
  state: string;
  reason: string | null;
  /** The user who connected it (the live feed shows its mail to them), once known. */
  ownerUserId?: string | null;
}

export interface MailboxView {
  id: string;
  provider: string;
  state: string;
  emailAddress: string;
  replyTracking: string;
}

export interface MailboxSyncUnderTest {
  readonly url: string;
  /** Its Prometheus endpoint (the whole URL, /metrics included). */
  readonly metricsUrl: string;
  /** Everything published on mailbox.message-received.v1, in order. */
  readonly received: ReceivedEvent[];
  /** Everything published on mailbox.connection-changed.v1, in order. */
  readonly changes: ConnectionChange[];
  /** The public API, as a user of the test org. */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** The internal transport endpoint the sender reads (credentials for sends). */
  transport<T>(mailboxId: string): Promise<T>;
  sql<T>(text: string, values?: unknown[]): Promise<T[]>;
  /**
   * Mailbox-sync's OAuth connect flow: starts it with `startBody`, lets `consent` play the browser
   * (it returns the redirect location), completes the callback and checks it answered 200.
   */
  connectOAuth(provider: 'google' | 'microsoft', startBody: unknown, consent: (authorizationUrl: string) => Promise<string>): Promise<{ view: MailboxView; oauthState: string }>;
  /** Waits for the message-received event of the message with this Message-ID. */
  awaitMessage(messageId: string, what: string): Promise<ReceivedEvent>;
  /** Gives a sync time to happen, then checks the message with this Message-ID was not synced. */
  assertNotSynced(messageId: string): Promise<void>;
  /** Another org's DELETE of the mailbox is 404 mailbox_not_found. */
  assertOtherOrgCannotDelete(mailboxId: string): Promise<void>;
  mailboxState(mailboxId: string): Promise<string>;
  /**
   * Waits for the mailbox's needs_reconnect event; then the API says replies are not being tracked
   * and the sender is handed no credentials (the transport's `credentials` entry, e.g. `gmail`, is null).
   */
  awaitNeedsReconnect(mailboxId: string, credentials: string): Promise<ConnectionChange>;
  /** DELETE of the mailbox: answered 200 with the view, in state disconnected. */
  disconnect(mailboxId: string): Promise<MailboxView>;
  /** Waits for the mailbox's disconnected event, which comes from connected. */
  awaitDisconnectedEvent(mailboxId: string): Promise<ConnectionChange>;
  /** The mailbox row is disconnected with its secret and `otherColumns` wiped. */
  assertCredentialsWiped(mailboxId: string, otherColumns?: string[]): Promise<void>;
  /** The outbox holds exactly one disconnected event for the mailbox. */
  assertOneDisconnectedEvent(mailboxId: string): Promise<void>;
  stop(): Promise<void>;
}

export interface MailboxSyncUnderTestOptions {
  /** Names the Kafka topic prefix and client. */
  label: string;
  /** The provider's settings (on top of database, Kafka, HTTP, credentials key and internal token). */
  config: Record<string, string>;
  /** A fixed HTTP port, where the provider's config must name it; any free port otherwise. */
  port?: number;
}

export async function startMailboxSyncUnderTest(options: MailboxSyncUnderTestOptions): Promise<MailboxSyncUnderTest> {
  const prefix = `${options.label}-${randomBytes(4).toString('hex')}.`;
  const orgId = randomUUID();
  const identity = await sharedLocalIdentity();
  const started: { stop(): Promise<unknown> }[] = [];
  const stop = async (): Promise<void> => {
    for (const s of started.splice(0).reverse()) await s.stop();
  };
  try {
    const db = await createTestDatabase(env('DATABASE_URL'));
    started.push({ stop: db.drop });
    const service = await startMailboxSync(
      MailboxSyncConfig.parse({
        DATABASE_URL: db.url,
        KAFKA_BROKERS: env('KAFKA_BROKERS'),
        KAFKA_TOPIC_PREFIX: prefix,
        PORT: String(options.port ?? 0),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        CREDENTIALS_ENCRYPTION_KEYS: `c1:${randomBytes(32).toString('base64')}`,
        ...identity.env(),
        // GreenMail runs on this machine: an address mailboxes may only use when allowed.
        MAILBOX_HOST_ALLOWLIST: env('MAIL_HOST'),
        ...options.config,
      }),
    );
    started.push(service);
    const received: ReceivedEvent[] = [];
    const changes: ConnectionChange[] = [];
    const kafka = new Kafka({ clientId: `${options.label}-test`, brokers: env('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `${prefix}observer` });
    started.push({ stop: () => consumer.disconnect() });
    await consumer.connect();
    await consumer.subscribe({ topics: [`${prefix}mailbox.message-received.v1`, `${prefix}mailbox.connection-changed.v1`], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const payload = JSON.parse(message.value?.toString('utf8') ?? '{}') as never;
        if (topic.endsWith('message-received.v1')) received.push(payload);
        else changes.push(payload);
      },
    });

    const api = async (path: string, init: RequestInit = {}): Promise<Response> => fetch(`${service.url}${path}`, { ...init, headers: { 'content-type': 'application/json', ...(await localIdentityHeaders(orgId)), ...(init.headers ?? {}) } });
    const sql = <T>(text: string, values: unknown[] = []): Promise<T[]> => queryRows<T>(db.url, text, values);
    const transport = async <T>(mailboxId: string): Promise<T> =>
      (await (await fetch(`${service.url}/internal/v1/mailboxes/${mailboxId}/transport`, { headers: { authorization: `Bearer ${identity.sender.credential}` } })).json()) as T;
    return {
      url: service.url,
      metricsUrl: service.metricsUrl,
      received,
      changes,
      api,
      sql,
      stop,
      transport,
      connectOAuth: async (provider, startBody, consent) => {
        const start = (await (await api(`/v1/mailboxes/oauth/${provider}`, { method: 'POST', body: JSON.stringify(startBody) })).json()) as { authorizationUrl: string; state: string };
        const callback = new URL(await consent(start.authorizationUrl));
        const res = await api(`/v1/mailboxes/oauth/${provider}/callback?code=${encodeURIComponent(callback.searchParams.get('code') ?? '')}&state=${encodeURIComponent(start.state)}`);
        assert.equal(res.status, 200);
        return { view: (await res.json()) as MailboxView, oauthState: start.state };
      },
      awaitMessage: (messageId, what) => waitFor(() => received.find((e) => e.message.messageId === messageId), what),
      assertNotSynced: async (messageId) => {
        await new Promise((r) => setTimeout(r, 1_500));
        assert.equal(received.find((e) => e.message.messageId === messageId), undefined, 'no sync after disconnect');
      },
      assertOtherOrgCannotDelete: async (mailboxId) => {
        const res = await api(`/v1/mailboxes/${mailboxId}`, { method: 'DELETE', headers: { ...(await localIdentityHeaders(randomUUID())) } });
        assert.equal(res.status, 404);
        assert.equal(((await res.json()) as { error: string }).error, 'mailbox_not_found');
      },
      mailboxState: async (mailboxId) => ((await (await api(`/v1/mailboxes/${mailboxId}`)).json()) as { state: string }).state,
      awaitNeedsReconnect: async (mailboxId, credentials) => {
        const change = await waitFor(() => changes.find((c) => c.mailboxId === mailboxId && c.state === 'needs_reconnect'), 'needs_reconnect event');
        const view = (await (await api(`/v1/mailboxes/${mailboxId}`)).json()) as MailboxView;
        assert.equal(view.state, 'needs_reconnect');
        assert.match(view.replyTracking, /NOT being tracked/);
        const forSender = await transport<Record<string, unknown>>(mailboxId);
        assert.equal(forSender.state, 'needs_reconnect');
        assert.equal(forSender[credentials], null);
        return change;
      },
      disconnect: async (mailboxId) => {
        const res = await api(`/v1/mailboxes/${mailboxId}`, { method: 'DELETE' });
        assert.equal(res.status, 200);
        const view = (await res.json()) as MailboxView;
        assert.equal(view.state, 'disconnected');
        return view;
      },
      awaitDisconnectedEvent: async (mailboxId) => {
        const change = await waitFor(() => changes.find((c) => c.mailboxId === mailboxId && c.state === 'disconnected'), 'disconnected event');
        assert.equal(change.previousState, 'connected');
        return change;
      },
      assertCredentialsWiped: async (mailboxId, otherColumns = []) => {
        const [row] = await sql<Record<string, unknown>>(`SELECT state, secret_key_id, secret_ciphertext${otherColumns.map((c) => `, ${c}`).join('')} FROM mailbox_sync.mailbox WHERE id = $1`, [mailboxId]);
        assert.deepEqual(row, { state: 'disconnected', secret_key_id: null, secret_ciphertext: null, ...Object.fromEntries(otherColumns.map((c) => [c, null])) });
      },
      assertOneDisconnectedEvent: async (mailboxId) => {
        const [events] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM mailbox_sync.outbox WHERE topic LIKE '%mailbox.connection-changed.v1' AND payload->>'mailboxId' = $1 AND payload->>'state' = 'disconnected'`, [mailboxId]);
        assert.equal(events!.n, 1, 'one disconnected event');
      },
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

/**
 * The hostile corpus of @telltale/testing delivered into a connected mailbox, then a normal reply
 * (issue 10, poison messages): the reply must still arrive, every hostile message must have become
 * an event within the contract (cut down and flagged where needed) or a recorded unreadable
 * message, and the API must show the unreadable ones.
 */
export async function assertHostileMessagesDoNotStallTheMailbox(
  sync: MailboxSyncUnderTest,
  mailboxId: string,
  rep: string,
  deliver: (raw: Buffer) => Promise<void>,
  options: { skip?: readonly string[] } = {},
): Promise<void> {
  const corpus = hostileMessages({ to: rep }).filter((m) => !options.skip?.includes(m.name));
  const before = (await (await sync.api(`/v1/mailboxes/${mailboxId}`)).json()) as { unreadableMessages: number };
  for (const hostile of corpus) await deliver(hostile.raw);
  const replyId = `<reply-after-hostile-${randomBytes(4).toString('hex')}@acme.test>`;
  await deliver(Buffer.from([`From: Buyer <buyer@acme.test>`, `To: ${rep}`, 'Subject: Re: Proposal', `Message-ID: ${replyId}`, `Date: ${new Date().toUTCString()}`, '', 'Yes, let us talk.', ''].join('\r\n')));
  await waitFor(() => sync.received.find((e) => e.message.messageId === replyId), 'the reply delivered after the hostile messages', 90_000);

  for (const hostile of corpus.filter((m) => m.expect === 'event')) {
    const event = sync.received.find((e) => e.message.messageId === hostile.messageId);
    assert.ok(event, `${hostile.name}: no event`);
    const message = event.message as unknown as InboundMessagePayload;
    assert.ok(MailboxMessageReceived.safeParse(event).success, `${hostile.name}: event outside the contract`);
    if (hostile.name === 'long-subject') assert.deepEqual(message.truncated, ['subject']);
    if (hostile.name === 'many-references') assert.equal(message.references.length, 500);
    if (hostile.name === 'deep-nesting') assert.equal(message.bodySkipped, 'too-deep');
    if (hostile.name === 'large-attachment') assert.equal(message.bodySkipped, 'too-large');
  }
  const unreadableCount = corpus.filter((m) => m.expect === 'unreadable').length;
  const after = (await (await sync.api(`/v1/mailboxes/${mailboxId}`)).json()) as { unreadableMessages: number };
  assert.equal(after.unreadableMessages - before.unreadableMessages, unreadableCount);
  const listed = (await (await sync.api(`/v1/mailboxes/${mailboxId}/unreadable-messages`)).json()) as { providerMessageId: string; reason: string }[];
  assert.ok(listed.length >= unreadableCount);
  for (const entry of listed) assert.equal(entry.reason, 'input does not start with a header field');
  // Another organisation learns nothing (404, as for the mailbox itself); a malformed id is a 400; no credentials a 401.
  const foreign = await sync.api(`/v1/mailboxes/${mailboxId}/unreadable-messages`, { headers: { ...(await localIdentityHeaders(randomUUID())) } });
  assert.equal(foreign.status, 404);
  assert.equal(((await foreign.json()) as { error: string }).error, 'mailbox_not_found');
  assert.equal((await sync.api('/v1/mailboxes/not-a-uuid/unreadable-messages')).status, 400);
  const anonymous = await fetch(`${sync.url}/v1/mailboxes/${mailboxId}/unreadable-messages`);
  assert.equal(anonymous.status, 401);
  assert.equal(((await anonymous.clone().json()) as { error: string }).error, 'unauthenticated');
  assert.doesNotMatch(await anonymous.text(), /\bat \S+\.js:\d+/, 'no stack trace');
  const metrics = await (await fetch(sync.metricsUrl)).text();
  assert.ok((sampleValue(metrics, 'telltale_mailbox_unreadable_messages_total', { reason: 'not_a_message' }) ?? 0) >= unreadableCount, 'operators see the unreadable messages');
}

/**
 * A message the provider will not return (400 at once, or 500 on every try) must not stall the
 * mailbox: it is listed as unreadable with the provider's status, and mail behind it arrives.
 * `arm` makes the provider fail every message fetch with the status, `disarm` stops it.
 */
export async function assertUnservableMessageDoesNotStallTheMailbox(
  sync: MailboxSyncUnderTest,
  mailboxId: string,
  rep: string,
  provider: { arm(status: 400 | 500): void; disarm(): void; deliver(raw: string): Promise<void>; nudge(): Promise<void> },
): Promise<void> {
  const listed = async (): Promise<{ providerMessageId: string; reason: string }[]> => (await (await sync.api(`/v1/mailboxes/${mailboxId}/unreadable-messages`)).json()) as { providerMessageId: string; reason: string }[];
  const mime = (subject: string, messageId: string): string =>
    [`From: Buyer <buyer@acme.test>`, `To: ${rep}`, `Subject: ${subject}`, `Message-ID: ${messageId}`, `Date: ${new Date().toUTCString()}`, '', subject, ''].join('\r\n');
  const tag = randomBytes(4).toString('hex');
  for (const [status, reason] of [
    [400, /^the provider refused to return the message \(400/],
    [500, /^the provider failed to return the message 5 times in a row \(500/],
  ] as const) {
    const before = (await listed()).length;
    provider.arm(status);
    try {
      await provider.deliver(mime(`Unservable ${status}`, `<unservable-${status}-${tag}@acme.test>`));
      // Each failed round waits out the follower's backoff (1 s, 2 s, 4 s…); a nudge is what a push does.
      const entry = await waitFor(
        async () => {
          const now = await listed();
          if (now.length > before) return now[0];
          await provider.nudge();
          await new Promise((r) => setTimeout(r, 500));
          return undefined;
        },
        `the message failing with ${status} listed as unreadable`,
        90_000,
      );
      assert.match(entry.reason, reason);
    } finally {
      provider.disarm();
    }
    const replyId = `<after-unservable-${status}-${tag}@acme.test>`;
    await provider.deliver(mime('Re: Proposal', replyId));
    await waitFor(() => sync.received.find((e) => e.message.messageId === replyId), `the reply after the message failing with ${status}`, 60_000);
  }
}
