import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { simpleParser } from 'mailparser';
import { emailSendFailedTopic, emailSendRequestedTopic, emailSentTopic, mailboxConnectionChangedTopic, type EmailSendRequested } from '@telltale/contracts';
import { buildEvent } from '@telltale/kafka';
import { MailboxSyncConfig, startMailboxSync } from '@telltale/mailbox-sync';
import { localIdentityHeaders, sharedLocalIdentity, type StartedService } from '@telltale/runtime';
import { createTestDatabase, queryRows } from '@telltale/testing';
import { waitUntil } from '@telltale/testing/dist/src/infrastructure/wait-until';
import { generateSigningKeySpec, parseSigningKeys, verifyTrackingToken } from '@telltale/tracking';
import { SenderConfig, startSender } from '@telltale/sender';


/**
 * The sender and mailbox-sync in this process with their real wiring (the `start*` functions
 * their main.ts use), one test database and a Kafka topic prefix: a mailbox is connected through
 * mailbox-sync's OAuth flow against a provider fake, and sends are requested the way the
 * sequencer does, with an `email.send-requested.v1` event.
 */

const TRACKING_BASE_URL = 'https://t.telltale.test';

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run with \`npm test\` (it starts PostgreSQL and Kafka)`);
  return value;
}

export interface EventOf {
  topic: string;
  payload: Record<string, unknown> & { sendRequestId?: string; mailboxId?: string; state?: string };
}

export interface SentEmailRow {
  id: string;
  status: string;
  message_id: string | null;
  provider_message_id: string | null;
  provider_thread_id: string | null;
  failure_code: string | null;
  failure_reason: string | null;
}

export interface SendHarness {
  readonly orgId: string;
  readonly mailboxSync: StartedService;
  readonly sender: StartedService;
  /** Everything seen on email.sent.v1, email.send-failed.v1 and mailbox.connection-changed.v1. */
  readonly events: EventOf[];
  /** Runs mailbox-sync's OAuth connect flow; `consent` plays the browser and returns the redirect location. */
  connect(provider: 'google' | 'microsoft', consent: (authorizationUrl: string) => Promise<string>): Promise<string>;
  /** Produces an email.send-requested.v1 for a one-off tracked email from the mailbox; returns its sendRequestId. */
  requestSend(mailboxId: string, from: string, subject: string): Promise<string>;
  /** The first event on `topic` (sent, send-failed, connection-changed) that `match` accepts. */
  waitForEvent(topic: 'email.sent.v1' | 'email.send-failed.v1' | 'mailbox.connection-changed.v1', match: (payload: EventOf['payload']) => boolean): Promise<EventOf['payload']>;
  sentEmail(sendRequestId: string): Promise<SentEmailRow>;
  mailboxState(mailboxId: string): Promise<string>;
  /**
   * With the provider set to answer the next send with 429 and Retry-After: 1, requests a send and
   * checks it went out (once the wait was over) with no failure reported; returns the sent event.
   */
  sendThroughRateLimit(mailboxId: string, from: string, subject: string): Promise<EventOf['payload']>;
  /**
   * With the grant revoked at the provider, requests a send and checks it was held visibly: failed as
   * MAILBOX_NOT_CONNECTED (the sequencer retries those), the mailbox in needs_reconnect, no sent event.
   */
  sendWithRevokedGrant(mailboxId: string, from: string, subject: string): Promise<void>;
  stop(): Promise<void>;
}

const PROSPECT = { address: 'dana@prospect.test', name: 'Dana Prospect' };
const PROSPECT_CC = { address: 'lee@prospect.test', name: 'Lee Buyer' };
const LINK = 'https://prospect.test/pricing?plan=team';

/** mailbox-sync's OAuth connect flow; `consent` plays the browser and returns the redirect location. Returns the mailbox id. */
export async function connectOAuthMailbox(
  api: (path: string, init?: { method?: string; body?: unknown }) => Promise<{ status: number; body: any }>,
  provider: 'google' | 'microsoft',
  consent: (authorizationUrl: string) => Promise<string>,
): Promise<string> {
  const start = await api(`/v1/mailboxes/oauth/${provider}`, { method: 'POST', body: {} });
  assert.equal(start.status, 201, JSON.stringify(start.body));
  const code = new URL(await consent(start.body.authorizationUrl as string)).searchParams.get('code') ?? '';
  const view = await api(`/v1/mailboxes/oauth/${provider}/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(start.body.state as string)}`);
  assert.equal(view.status, 200, JSON.stringify(view.body));
  assert.equal(view.body.state, 'connected');
  return view.body.id as string;
}

/** A one-off tracked email with one link, as the sequencer would request it (no enrollment). */
export function oneOffSendRequest(r: { orgId: string; mailboxId: string; from: string; subject: string; to: { address: string; name: string }; cc?: { address: string; name: string }[] }): EmailSendRequested {
  return {
    sendRequestId: randomUUID(),
    orgId: r.orgId,
    mailboxId: r.mailboxId,
    enrollmentId: null,
    sequenceId: null,
    stepNumber: null,
    from: { address: r.from, name: 'Sam Rep' },
    to: [r.to],
    cc: r.cc ?? [],
    subject: r.subject,
    html: `<html><body><p>Hi Dana,</p><p>Here is <a href="${LINK.replace(/&/g, '&amp;')}">our pricing</a>.</p></body></html>`,
    text: null,
    replyToMessageId: null,
    tracking: { opens: true, clicks: true },
    notAfter: null,
    requestedAt: new Date().toISOString(),
  };
}

export async function startSendHarness(label: string, providerConfig: Record<string, string>): Promise<SendHarness> {
  const prefix = `${label}-${randomBytes(4).toString('hex')}.`;
  const identity = await sharedLocalIdentity();
  const orgId = randomUUID();
  const db = await createTestDatabase(requiredEnv('DATABASE_URL'));
  const common = { DATABASE_URL: db.url, KAFKA_BROKERS: requiredEnv('KAFKA_BROKERS'), KAFKA_TOPIC_PREFIX: prefix, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', ...identity.env() };
  const started: { stop(): Promise<unknown> }[] = [{ stop: db.drop }];
  const stop = async (): Promise<void> => {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
  };
  try {
    const mailboxSync = await startMailboxSync(MailboxSyncConfig.parse({ ...common, CREDENTIALS_ENCRYPTION_KEYS: `c1:${randomBytes(32).toString('base64')}`, ...providerConfig }));
    started.push(mailboxSync);
    const sender = await startSender(
      SenderConfig.parse({
        ...common,
        TRACKING_BASE_URL,
        TRACKING_SIGNING_KEYS: signingKeySpec,
        // One-off sends carry no enrollment, so the sender never asks the sequencer for a claim.
        SEQUENCER_URL: 'http://127.0.0.1:9',
        MAILBOX_SYNC_URL: mailboxSync.url,
        ...identity.senderEnv(),
      }),
    );
    started.push(sender);
    const kafka = new Kafka({ clientId: `${label}-test`, brokers: common.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
    const producer: Producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    started.push({ stop: () => producer.disconnect() });
    const events: EventOf[] = [];
    const consumer: Consumer = kafka.consumer({ groupId: `${prefix}observer`, maxWaitTimeInMs: 100 });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.connect();
    started.push({ stop: () => consumer.disconnect() });
    await consumer.subscribe({ topics: [emailSentTopic, emailSendFailedTopic, mailboxConnectionChangedTopic].map((t) => prefix + t.name), fromBeginning: true });
    await consumer.run({ eachMessage: async ({ topic, message }) => void events.push({ topic: topic.slice(prefix.length), payload: JSON.parse(message.value?.toString('utf8') ?? '{}') as EventOf['payload'] }) });
    await joined;

    const api = async (path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: any }> => {
      const res = await fetch(`${mailboxSync.url}${path}`, { method: init.method ?? 'GET', headers: { 'content-type': 'application/json', ...(await localIdentityHeaders(orgId)) }, ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }) });
      return { status: res.status, body: await res.json() };
    };
    const sql = <T>(text: string, values: unknown[]): Promise<T[]> => queryRows<T>(db.url, text, values);

    const harness: SendHarness = {
      orgId,
      mailboxSync,
      sender,
      events,
      stop,
      connect: (provider, consent) => connectOAuthMailbox(api, provider, consent),
      requestSend: async (mailboxId, from, subject) => {
        const request = oneOffSendRequest({ orgId, mailboxId, from, subject, to: PROSPECT, cc: [PROSPECT_CC] });
        const event = buildEvent(emailSendRequestedTopic, request, { orgId });
        await producer.send({ topic: prefix + event.topic, acks: -1, messages: [{ key: event.key, value: JSON.stringify(event.payload), headers: event.headers }] });
        return request.sendRequestId;
      },
      waitForEvent: (topic, match) =>
        waitUntil(async () => events.find((e) => e.topic === topic && match(e.payload))?.payload, { what: `an event on ${topic}`, timeoutMs: 30_000, intervalMs: 50 }),
      sentEmail: async (sendRequestId) => {
        const [row] = await sql<SentEmailRow>(
          `SELECT id, status, message_id, provider_message_id, provider_thread_id, failure_code, failure_reason FROM sender.sent_email WHERE send_request_id = $1`,
          [sendRequestId],
        );
        assert.ok(row, `no sent_email row for ${sendRequestId}`);
        return row;
      },
      mailboxState: async (mailboxId) => (await api(`/v1/mailboxes/${mailboxId}`)).body.state as string,
      sendThroughRateLimit: async (mailboxId, from, subject) => {
        const requestedAt = Date.now();
        const sendRequestId = await harness.requestSend(mailboxId, from, subject);
        const sent = await harness.waitForEvent('email.sent.v1', (p) => p.sendRequestId === sendRequestId);
        assert.ok(Date.parse(String(sent.sentAt)) - requestedAt >= 1_000, 'the send waited out Retry-After: 1');
        assert.equal(events.filter((e) => e.topic === 'email.send-failed.v1' && e.payload.sendRequestId === sendRequestId).length, 0);
        return sent;
      },
      sendWithRevokedGrant: async (mailboxId, from, subject) => {
        const sendRequestId = await harness.requestSend(mailboxId, from, subject);
        const failed = await harness.waitForEvent('email.send-failed.v1', (p) => p.sendRequestId === sendRequestId);
        assert.equal(failed.code, 'MAILBOX_NOT_CONNECTED');
        await harness.waitForEvent('mailbox.connection-changed.v1', (p) => p.mailboxId === mailboxId && p.state === 'needs_reconnect');
        assert.equal(await harness.mailboxState(mailboxId), 'needs_reconnect');
        const row = await harness.sentEmail(sendRequestId);
        assert.deepEqual({ status: row.status, code: row.failure_code }, { status: 'failed', code: 'MAILBOX_NOT_CONNECTED' });
        assert.equal(events.some((e) => e.topic === 'email.sent.v1' && e.payload.sendRequestId === sendRequestId), false);
      },
    };
    return harness;
  } catch (err) {
    await stop();
    throw err;
  }
}

const signingKeySpec = generateSigningKeySpec('s1');
const signingKeys = parseSigningKeys(signingKeySpec);

/**
 * The message as the provider stored it (raw MIME) went to the prospect with the CC, and carries
 * the sender's tracking intact: an open pixel and a rewritten link on the tracking domain, whose
 * signed tokens name this sent email and the original link.
 */
export async function assertTrackedMessage(raw: string | Buffer, expected: { sentEmailId: string; messageId: string; subject: string }): Promise<void> {
  const parsed = await simpleParser(raw);
  assert.equal(parsed.subject, expected.subject);
  assert.equal(parsed.messageId, expected.messageId, 'the Message-ID recipients see is the one reported');
  const addresses = (field: typeof parsed.to) => (Array.isArray(field) ? field : field ? [field] : []).flatMap((a) => a.value.map((v) => v.address));
  assert.deepEqual(addresses(parsed.to), [PROSPECT.address]);
  assert.deepEqual(addresses(parsed.cc), [PROSPECT_CC.address]);
  const html = typeof parsed.html === 'string' ? parsed.html : '';
  const base = TRACKING_BASE_URL.replace(/\./g, '\\.');
  const pixel = new RegExp(`<img[^>]+src="${base}/o/([A-Za-z0-9_-]+)"`).exec(html);
  const click = new RegExp(`href="${base}/c/([A-Za-z0-9_-]+)"`).exec(html);
  assert.ok(pixel, `no open pixel in ${html}`);
  assert.ok(click, `no tracked link in ${html}`);
  assert.equal(html.includes(`href="${LINK}"`) || html.includes(`href="${LINK.replace(/&/g, '&amp;')}"`), false, 'the link is rewritten');
  const open = verifyTrackingToken(pixel[1]!, signingKeys);
  const clickToken = verifyTrackingToken(click[1]!, signingKeys);
  assert.ok(open.ok && open.claims.sentEmailId === expected.sentEmailId, 'the pixel names this sent email');
  assert.ok(clickToken.ok && clickToken.claims.kind === 'click' && clickToken.claims.url === LINK, 'the tracked link leads to the original URL');
  assert.match(parsed.text ?? '', /prospect\.test\/pricing/, 'the plain-text part keeps the readable link');
}
