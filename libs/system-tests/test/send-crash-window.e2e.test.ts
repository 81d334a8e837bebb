import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gmail as gmailApi } from '@googleapis/gmail';
import { ImapFlow } from 'imapflow';
import { Kafka, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import { simpleParser } from 'mailparser';
import { emailSendRequestedTopic, emailSentTopic } from '@telltale/contracts';
import { buildEvent } from '@telltale/kafka';
import { MailboxSyncConfig, startMailboxSync } from '@telltale/mailbox-sync';
import { localIdentityHeaders, sampleValue, sharedLocalIdentity, type StartedService } from '@telltale/runtime';
import { createTestDatabase, queryRows, startGmailTestServer, startGraphTestServer, type GmailTestServer, type GraphTestServer } from '@telltale/testing';
import { findFreePort } from '@telltale/testing/dist/src/infrastructure/free-port';
import { generateSigningKeySpec } from '@telltale/tracking';
import { eventually, readInbox, requiredEnv, sandboxMailbox, ServiceProcess } from '../src';
import { connectOAuthMailbox, oneOffSendRequest } from './support/oauth-send-harness';

/**
 * The sender's crash window (issue 10, "never lose, never twice"): a process that dies after the
 * provider accepted a message and before its outcome commits. The sender runs as a process of its
 * own with a test-only fault (SENDER_TEST_FAULT=hang-after-provider-accepted) that holds each send
 * right after the provider accepted it; once Gmail, Microsoft 365 and an IMAP/SMTP mailbox
 * (GreenMail) have each accepted one, the process is SIGKILLed, so nothing was recorded. Restarted,
 * the sender is handed the three requests again, asks each provider whether the message is in the
 * sent mail, and records it as sent without sending it again: one copy at each provider and in the
 * recipient's mailbox, one sent row and one email.sent.v1 each. The first question to Gmail fails
 * (500), and Exchange keeps its copy in the Outbox (sent, not filed in Sent Items yet) until the
 * test has seen the sender look twice; the sender's checker settles both afterwards. Both fakes replace the
 * Message-ID we composed, as Gmail's API and Exchange do, so the copies are found by our
 * X-Telltale-Send-Id header there. GreenMail keeps no copy of what it relays: the test files the one
 * an SMTP server that does (Gmail's, Exchange's) would. A second test kills the sender during a
 * one-off REST send once the provider's answer is written down: nobody asks again, and the sender's
 * checker records it from that answer; a Gmail send held before the provider got it is sent, once,
 * when the look finds nothing after the grace period.
 */

const tag = randomBytes(3).toString('hex');
const GMAIL_REP = `sam-${tag}@rep-gmail.test`;
const GRAPH_REP = `sam-${tag}@rep-contoso.test`;
const IMAP_REP = `sam-${tag}@telltale.test`;
const PROSPECT = { address: `dana-${tag}@prospect.test`, name: 'Dana Prospect' };
const GOOGLE_REDIRECT = 'http://127.0.0.1:9/google/callback';
const MS_REDIRECT = 'http://127.0.0.1:9/ms/callback';
/**
 * Longer than the restart takes (the new consumer waits out the killed one's 15 s Kafka session at
 * most), so "not in Sent Items yet" is never read as "not sent" here; nothing in the test waits it out.
 */
const GRACE_MS = 60_000;
const CHECK_EVERY_MS = 300;

let gmail: GmailTestServer;
let graph: GraphTestServer;
let mailboxSync: StartedService;
let dropDb: () => Promise<void>;
let databaseUrl: string;
let logDir: string;
let producer: Producer;
let admin: Admin;
let observer: Consumer;
const sentEvents: Record<string, unknown>[] = [];
let senderEnv: Record<string, string>;
let senderPort: number;
let metricsPort: number;
let prefix: string;
const orgId = randomUUID();
const mailboxes = { gmail: '', graph: '', imap: '' };

const sql = <T>(text: string, values: unknown[] = []): Promise<T[]> => queryRows<T>(databaseUrl, text, values);

async function mailboxApi(path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${mailboxSync.url}${path}`, { method: init.method ?? 'GET', headers: { 'content-type': 'application/json', ...(await localIdentityHeaders(orgId)) }, ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }) });
  return { status: res.status, body: await res.json() };
}

function sender(fault: 'hang-after-provider-accepted' | 'hang-after-accepted-recorded' | null, env: Record<string, string> = {}): ServiceProcess {
  return new ServiceProcess('sender', senderPort, { ...senderEnv, ...(fault ? { SENDER_TEST_FAULT: fault } : {}), ...env }, logDir);
}

/** An email.send-requested.v1 as the sequencer produces it, on the partition given (they are handled in parallel). */
async function requestSend(mailboxId: string, from: string, subject: string, partition: number): Promise<string> {
  const request = oneOffSendRequest({ orgId, mailboxId, from, subject, to: PROSPECT });
  const event = buildEvent(emailSendRequestedTopic, request, { orgId });
  await producer.send({ topic: prefix + event.topic, acks: -1, messages: [{ partition, key: event.key, value: JSON.stringify(event.payload), headers: event.headers }] });
  return request.sendRequestId;
}

const subjectOf = (raw: Buffer | string): string | undefined => /^Subject: (.*)$/m.exec(Buffer.from(raw).toString('latin1'))?.[1]?.trim();

/** Messages with this subject in the Gmail mailbox, read with a grant of the rep's own. */
async function gmailCopies(subject: string): Promise<{ id: string; labelIds: string[] }[]> {
  const owner = gmailApi({ version: 'v1', rootUrl: gmail.url, headers: { Authorization: `Bearer ${gmail.issueGrant().accessToken}` } });
  const ids = (await owner.users.messages.list({ userId: 'me', maxResults: 500, includeSpamTrash: true })).data.messages ?? [];
  const all = await Promise.all(ids.map(async ({ id }) => (await owner.users.messages.get({ userId: 'me', id: id!, format: 'raw' })).data));
  return all.filter((m) => subjectOf(Buffer.from(m.raw ?? '', 'base64url')) === subject).map((m) => ({ id: m.id!, labelIds: m.labelIds ?? [] }));
}

/** What Exchange sent with this subject, waiting in the Outbox or filed in Sent Items. */
const graphCopies = (subject: string) => [...graph.folderMessages('Outbox'), ...graph.folderMessages('Sent Items')].filter((m) => subjectOf(m.raw) === subject);

async function inboxCopies(address: string, subject: string): Promise<number> {
  return (await readInbox(address)).filter((m) => subjectOf(m.source) === subject).length;
}

async function withGreenMail<T>(address: string, work: (client: ImapFlow) => Promise<T>): Promise<T> {
  const client = new ImapFlow({ host: requiredEnv('MAIL_HOST'), port: Number(requiredEnv('IMAP_PORT')), secure: false, auth: { user: address, pass: 'sandbox-password' }, logger: false, disableAutoIdle: true });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/**
 * What an SMTP server that keeps a copy of what it relays (Gmail's, Exchange's) does: the message as
 * delivered, filed in the sender's Sent folder. GreenMail keeps none.
 */
async function fileInSentAsTheServerWould(address: string, raw: Buffer): Promise<void> {
  await withGreenMail(address, async (client) => {
    if (!(await client.list()).some((f) => f.path === 'Sent')) await client.mailboxCreate('Sent');
    await client.append('Sent', raw, ['\\Seen']);
  });
}

/** Messages with this subject in the IMAP mailbox's Sent folder (none when it has no Sent folder yet). */
async function imapSentCopies(address: string, subject: string): Promise<number> {
  return withGreenMail(address, async (client) => {
    if (!(await client.list()).some((f) => f.path === 'Sent')) return 0;
    const lock = await client.getMailboxLock('Sent');
    try {
      let n = 0;
      if (client.mailbox && client.mailbox.exists > 0) for await (const m of client.fetch('1:*', { source: true })) if (m.source && (await simpleParser(m.source)).subject === subject) n += 1;
      return n;
    } finally {
      lock.release();
    }
  });
}

before(async () => {
  logDir = mkdtempSync(join(tmpdir(), 'telltale-crash-window-'));
  prefix = `crash-window-${tag}.`;
  const identity = await sharedLocalIdentity();
  const db = await createTestDatabase(requiredEnv('DATABASE_URL'));
  databaseUrl = db.url;
  dropDb = db.drop;
  gmail = await startGmailTestServer({ emailAddress: GMAIL_REP, redirectUri: GOOGLE_REDIRECT, assignMessageIds: true });
  graph = await startGraphTestServer({ emailAddress: GRAPH_REP, assignInternetMessageIds: true, holdSentInOutbox: true });
  const common = { DATABASE_URL: databaseUrl, KAFKA_BROKERS: requiredEnv('KAFKA_BROKERS'), KAFKA_TOPIC_PREFIX: prefix, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', ...identity.env() };
  mailboxSync = await startMailboxSync(
    MailboxSyncConfig.parse({
      ...common,
      CREDENTIALS_ENCRYPTION_KEYS: `c1:${randomBytes(32).toString('base64')}`,
      MAILBOX_HOST_ALLOWLIST: requiredEnv('MAIL_HOST'),
      GOOGLE_CLIENT_ID: 'telltale-test.apps.googleusercontent.com',
      GOOGLE_CLIENT_SECRET: 'test-secret',
      GOOGLE_REDIRECT_URI: GOOGLE_REDIRECT,
      GOOGLE_OAUTH_AUTH_URL: gmail.authUrl,
      GOOGLE_OAUTH_TOKEN_URL: gmail.tokenUrl,
      GMAIL_API_ROOT_URL: gmail.url,
      GMAIL_POLL_MS: '600000',
      MS_CLIENT_ID: 'telltale-test-app',
      MS_CLIENT_SECRET: 'test-secret',
      MS_REDIRECT_URI: MS_REDIRECT,
      MS_AUTHORITY: graph.authority,
      GRAPH_ORIGIN: graph.origin,
      GRAPH_CA_PEM: graph.ca,
      GRAPH_POLL_MS: '600000',
      MAILBOX_FOLDER_POLL_MS: '600000',
    }),
  );
  mailboxes.gmail = await connectOAuthMailbox(mailboxApi, 'google', async (url) => (await fetch(url, { redirect: 'manual' })).headers.get('location') ?? '');
  mailboxes.graph = await connectOAuthMailbox(
    mailboxApi,
    'microsoft',
    (url) =>
      new Promise((resolve, reject) => {
        const req = httpsRequest(url, { ca: graph.ca }, (res) => {
          res.resume();
          resolve(res.headers.location ?? '');
        });
        req.on('error', reject);
        req.end();
      }),
  );
  const imap = await mailboxApi('/v1/mailboxes', { method: 'POST', body: sandboxMailbox(IMAP_REP) });
  assert.equal(imap.status, 201, JSON.stringify(imap.body));
  mailboxes.imap = imap.body.id as string;

  senderPort = await findFreePort();
  metricsPort = await findFreePort();
  senderEnv = {
    ...common,
    LOG_LEVEL: 'info',
    TRACKING_BASE_URL: 'https://t.telltale.test',
    TRACKING_SIGNING_KEYS: generateSigningKeySpec('s1'),
    // One-off sends carry no enrollment: the sender never asks the sequencer for a claim.
    SEQUENCER_URL: 'http://127.0.0.1:9',
    MAILBOX_SYNC_URL: mailboxSync.url,
    METRICS_PORT: String(metricsPort),
    SEND_CHECK_GRACE_MS: String(GRACE_MS),
    SEND_CHECK_INTERVAL_MS: String(CHECK_EVERY_MS),
    ...identity.senderEnv(),
  };

  const kafka = new Kafka({ clientId: `crash-window-${tag}`, brokers: requiredEnv('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING });
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  admin = kafka.admin();
  await admin.connect();
  observer = kafka.consumer({ groupId: `${prefix}observer`, maxWaitTimeInMs: 100 });
  await observer.connect();
});

after(async () => {
  await observer?.disconnect().catch(() => undefined);
  await producer?.disconnect().catch(() => undefined);
  await admin?.disconnect().catch(() => undefined);
  await mailboxSync?.stop().catch(() => undefined);
  await gmail?.close().catch(() => undefined);
  await graph?.close().catch(() => undefined);
  await dropDb?.().catch(() => undefined);
  if (logDir) rmSync(logDir, { recursive: true, force: true });
});

test('a sender killed after Gmail, Microsoft 365 and an SMTP server accepted, before recording it: restarted, it sends nothing again', { timeout: 180_000 }, async () => {
  // The three requests wait on three partitions before the sender starts, so its first fetch takes
  // all three and handles them side by side (a held send holds the fetches after it).
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: prefix + emailSendRequestedTopic.name, numPartitions: 3, replicationFactor: 1 }] });
  const subjects = { gmail: `Pricing ${tag} (Gmail)`, graph: `Pricing ${tag} (Microsoft 365)`, imap: `Pricing ${tag} (SMTP)` };
  const ids = {
    gmail: await requestSend(mailboxes.gmail, GMAIL_REP, subjects.gmail, 0),
    graph: await requestSend(mailboxes.graph, GRAPH_REP, subjects.graph, 1),
    imap: await requestSend(mailboxes.imap, IMAP_REP, subjects.imap, 2),
  };
  const crashed = sender('hang-after-provider-accepted');
  await crashed.start();
  try {
    // The sender made its topics at start: now the observer can join.
    const joined = new Promise<void>((resolve) => observer.on(observer.events.GROUP_JOIN, () => resolve()));
    await observer.subscribe({ topic: prefix + emailSentTopic.name, fromBeginning: true });
    await observer.run({ eachMessage: async ({ message }) => void sentEvents.push(JSON.parse(message.value?.toString('utf8') ?? '{}') as Record<string, unknown>) });
    await joined;

    // Each provider accepted its message; the sender holds before recording anything.
    await eventually('the three providers accepted their message', async () => {
      const [g, m, s] = [(await gmailCopies(subjects.gmail)).length, graphCopies(subjects.graph).length, await inboxCopies(PROSPECT.address, subjects.imap)];
      return g === 1 && m === 1 && s === 1 ? true : undefined;
    }, { timeoutMs: 60_000, intervalMs: 200 });
    // The SMTP server files its own copy in Sent, as Gmail's and Exchange's SMTP do (GreenMail and
    // most servers keep none, and then nothing tells: ADR 13).
    const delivered = (await readInbox(PROSPECT.address)).find((m) => subjectOf(m.source) === subjects.imap)!;
    await fileInSentAsTheServerWould(IMAP_REP, delivered.source);
    await crashed.kill();

    const all = Object.values(ids);
    const attempts = await sql<{ send_request_id: string; message_id: string }>(`SELECT send_request_id, message_id FROM sender.send_attempt WHERE send_request_id = ANY($1::uuid[])`, [all]);
    assert.equal(attempts.length, 3, 'each send left its intent behind');
    const rows = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM sender.sent_email WHERE send_request_id = ANY($1::uuid[])`, [all]);
    assert.equal(rows[0]!.n, 0, 'the crash rolled back every sent row');

    // The first question to Gmail after the restart fails: no answer is not a "no".
    gmail.failNext(1, 500, /^GET \/gmail\/v1\/users\/me\/messages$/);
    const restarted = sender(null);
    await restarted.start();
    const restartedAt = Date.now();
    try {
      // Exchange has not filed its copy in Sent Items yet: not found there is not "not sent", so the
      // sender keeps looking (and sends nothing) until the copy shows, within the grace period.
      await eventually('the sender looked for the Microsoft 365 copy and will look again', async () => {
        const [row] = await sql<{ checks: number }>(`SELECT checks FROM sender.send_attempt WHERE send_request_id = $1`, [ids.graph]);
        return (row?.checks ?? 0) >= 2 ? true : undefined;
      }, { timeoutMs: 45_000, intervalMs: 100 });
      assert.equal(graphCopies(subjects.graph).length, 1, 'not sent again while its copy is not visible');
      assert.equal(sentEvents.some((e) => e.sendRequestId === ids.graph), false);
      graph.releaseOutbox();
      const settledIn: Record<string, number> = {};
      await eventually('email.sent.v1 for the three requests', () => {
        for (const [kind, id] of Object.entries(ids)) if (settledIn[kind] === undefined && sentEvents.some((e) => e.sendRequestId === id)) settledIn[kind] = Date.now() - restartedAt;
        return Object.keys(settledIn).length === 3 ? true : undefined;
      }, { timeoutMs: 60_000, intervalMs: 50 });
      // Figures for the report: how long after the restart each redelivered request was settled.
      console.log(`crash window: settled after restart in ms ${JSON.stringify(settledIn)}`);

      // Nothing went out twice: one copy at each provider, and in the recipient's mailbox.
      assert.equal((await gmailCopies(subjects.gmail)).length, 1);
      assert.ok((await gmailCopies(subjects.gmail))[0]!.labelIds.includes('SENT'));
      assert.equal(graphCopies(subjects.graph).length, 1);
      assert.equal(graph.folderMessages('Drafts').filter((m) => subjectOf(m.raw) === subjects.graph).length, 0, 'no draft left behind');
      assert.equal(await inboxCopies(PROSPECT.address, subjects.imap), 1);
      assert.equal(await imapSentCopies(IMAP_REP, subjects.imap), 1);

      // One sent row each, carrying the ids of the copy found, and one email.sent.v1 in the outbox each.
      const sent = await sql<{ send_request_id: string; status: string; message_id: string; provider_message_id: string | null; links: number }>(
        `SELECT send_request_id, status, message_id, provider_message_id, (SELECT count(*)::int FROM sender.sent_link l WHERE l.sent_email_id = e.id) AS links
         FROM sender.sent_email e WHERE send_request_id = ANY($1::uuid[])`,
        [all],
      );
      assert.equal(sent.length, 3);
      const byId = new Map(sent.map((r) => [r.send_request_id, r]));
      const gmailRow = byId.get(ids.gmail)!;
      const gmailStored = (await gmailCopies(subjects.gmail))[0]!;
      assert.deepEqual({ status: gmailRow.status, providerMessageId: gmailRow.provider_message_id }, { status: 'sent', providerMessageId: gmailStored.id });
      assert.match(gmailRow.message_id, /@mail\.gmail\.com>$/, "Gmail's Message-ID, the one recipients saw");
      const graphRow = byId.get(ids.graph)!;
      const graphStored = graphCopies(subjects.graph)[0]!;
      assert.deepEqual({ status: graphRow.status, messageId: graphRow.message_id, providerMessageId: graphRow.provider_message_id }, { status: 'sent', messageId: graphStored.internetMessageId, providerMessageId: graphStored.immutableId });
      const imapRow = byId.get(ids.imap)!;
      assert.equal(imapRow.status, 'sent');
      assert.equal(imapRow.message_id, attempts.find((a) => a.send_request_id === ids.imap)!.message_id, 'SMTP sends our Message-ID as composed');
      for (const row of sent) assert.equal(row.links, 1, 'the tracked link is in the link table');
      const outbox = await sql<{ send_request_id: string; n: number }>(
        `SELECT payload->>'sendRequestId' AS send_request_id, count(*)::int AS n FROM sender.outbox WHERE topic LIKE '%email.sent.v1' AND payload->>'sendRequestId' = ANY($1::text[]) GROUP BY 1`,
        [all],
      );
      assert.deepEqual(outbox.map((r) => r.n), [1, 1, 1]);
      assert.equal((await sql(`SELECT 1 FROM sender.send_attempt WHERE send_request_id = ANY($1::uuid[])`, [all])).length, 0, 'every intent settled');

      // Gmail's failed answer scheduled a check rather than a send; every request was recovered, none sent again.
      const page = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      assert.equal(sampleValue(page, 'telltale_sender_sends_total', { outcome: 'recovered' }), 3);
      assert.ok((sampleValue(page, 'telltale_sender_sends_total', { outcome: 'pending' }) ?? 0) >= 1, 'the failed lookup was retried later');
      assert.equal(sampleValue(page, 'telltale_sender_sends_total', { outcome: 'sent' }), undefined);
      // Seen by the observer too: one event each (the outbox published them once).
      await eventually('each email.sent.v1 published once', () => (all.every((id) => sentEvents.filter((e) => e.sendRequestId === id).length === 1) ? true : undefined), { timeoutMs: 5_000 });
    } finally {
      await restarted.stop();
    }
  } catch (err) {
    console.log(crashed.tail(60));
    throw err;
  } finally {
    await crashed.kill();
  }
});

test('killed again: a one-off SMTP send whose answer was written down is recorded by the checker; a Gmail send the provider never got goes out once', { timeout: 120_000 }, async () => {
  const subject = `One-off ${tag} (SMTP)`;
  const neverSent = `Never handed over ${tag} (Gmail)`;
  const crashed = sender(null, { SENDER_TEST_FAULT: `hang-after-accepted-recorded:${mailboxes.imap},hang-before-provider-call:${mailboxes.gmail}` });
  await crashed.start();
  let oneOffId = '';
  let gmailId = '';
  try {
    const call = fetch(`${crashed.url}/v1/emails`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await localIdentityHeaders(orgId)) },
      body: JSON.stringify({ mailboxId: mailboxes.imap, from: { address: IMAP_REP, name: 'Sam Rep' }, to: [PROSPECT], subject, html: '<p>Hi Dana, a quick note.</p>' }),
    }).then(
      (res) => res.status,
      () => 'no answer',
    );
    gmailId = await requestSend(mailboxes.gmail, GMAIL_REP, neverSent, 0);
    const [intent] = await eventually('the SMTP server accepted the one-off email and the sender wrote it down; the Gmail send is about to be handed over', async () => {
      const rows = await sql<{ send_request_id: string }>(`SELECT send_request_id FROM sender.send_attempt WHERE request->>'subject' = $1 AND accepted_at IS NOT NULL AND origin = 'api'`, [subject]);
      const gmailIntent = await sql(`SELECT 1 FROM sender.send_attempt WHERE send_request_id = $1 AND accepted_at IS NULL`, [gmailId]);
      return rows.length === 1 && gmailIntent.length === 1 && (await inboxCopies(PROSPECT.address, subject)) === 1 ? rows : undefined;
    }, { timeoutMs: 30_000, intervalMs: 100 });
    await crashed.kill();
    assert.equal(await call, 'no answer', 'the caller saw the send fail');
    oneOffId = intent!.send_request_id;
    assert.equal((await sql(`SELECT 1 FROM sender.sent_email WHERE send_request_id = ANY($1::uuid[])`, [[oneOffId, gmailId]])).length, 0, 'nothing recorded');
    assert.equal((await gmailCopies(neverSent)).length, 0, 'Gmail never got the second one');
  } finally {
    await crashed.kill();
  }

  // Nobody asks for the one-off again (its id was made for the one call): the checker takes it up.
  // The Gmail request comes again; not in the sent mail once the grace period is over, it is sent.
  const restarted = sender(null, { SEND_CHECK_ORPHAN_AFTER_MS: '1000', SEND_CHECK_GRACE_MS: '1000' });
  await restarted.start();
  try {
    const rows = await eventually('both recorded as sent', async () => {
      const r = await sql<{ send_request_id: string; status: string; message_id: string }>(`SELECT send_request_id, status, message_id FROM sender.sent_email WHERE send_request_id = ANY($1::uuid[])`, [[oneOffId, gmailId]]);
      return r.length === 2 && r.every((row) => row.status === 'sent') ? r : undefined;
    }, { timeoutMs: 45_000, intervalMs: 100 });
    assert.equal(rows.find((r) => r.send_request_id === oneOffId)!.message_id, `<${oneOffId}@telltale.test>`);
    assert.equal(await inboxCopies(PROSPECT.address, subject), 1, 'the one-off went out once');
    assert.equal((await gmailCopies(neverSent)).length, 1, 'the Gmail one went out, once');
    const outbox = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM sender.outbox WHERE topic LIKE '%email.sent.v1' AND payload->>'sendRequestId' = ANY($1::text[]) GROUP BY payload->>'sendRequestId'`,
      [[oneOffId, gmailId]],
    );
    assert.deepEqual(outbox.map((r) => r.n), [1, 1]);
    assert.equal((await sql(`SELECT 1 FROM sender.send_attempt WHERE send_request_id = ANY($1::uuid[])`, [[oneOffId, gmailId]])).length, 0);
    const page = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    assert.equal(sampleValue(page, 'telltale_sender_sends_total', { outcome: 'recovered' }), 1, 'the one-off, from the answer written down');
    assert.equal(sampleValue(page, 'telltale_sender_sends_total', { outcome: 'sent' }), 1, 'the Gmail one, sent after the look found nothing');
  } finally {
    await restarted.stop();
  }
});
