/**
 * `npm run bench:mailbox-sync`: (1) initial sync throughput, messages/s, for a mailbox of
 * BENCH_MESSAGES (default 10 000) on each local provider server — Gmail (emulate@0.12.2 through
 * googleapis), Microsoft Graph (the HTTPS fake through @microsoft/microsoft-graph-client) and IMAP
 * (GreenMail through imapflow, our ImapMailboxFollower with its default page size; the mailbox is
 * seeded with real IMAP APPENDs, timed apart as seedSeconds; BENCH_IMAP_MESSAGES overrides the
 * size) — fetching and parsing every message; (2) push-path latency from a message landing in a
 * mailbox to its `mailbox.message-received.v1` on Kafka, through a real mailbox-sync:
 * Gmail (Pub/Sub push → history.list → parse → outbox → Kafka), Microsoft Graph (change
 * notification → delta → …) and IMAP (`imappush`: SMTP delivery to GreenMail → IDLE EXISTS →
 * UID SEARCH/FETCH → …, the mailbox connected through POST /v1/mailboxes), BENCH_PUSHES
 * (default 200) sequential samples each, p50/p99/max against a p99 goal of 2 s. Prints one JSON
 * object (and each section on stderr as it completes). BENCH_ONLY picks sections
 * (gmail,graph,imap,push,graphpush,imappush,dovecot,dovecotpush,pollcost — the cost of one poll of an
 * unchanged mailbox per way of asking, see dovecotPollCost). Everything on 127.0.0.1, bounded in count.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { connect, createServer, type Socket } from 'node:net';
import { gmail as gmailApi } from '@googleapis/gmail';
import { ImapFlow } from 'imapflow';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { createGraphClient, GmailChangeSource, GraphChangeSource, ImapMailboxFollower, InMemoryImapCursorStore, type ImapMailboxFollowerOptions, SmtpMailTransport, type MailboxChangeSource } from '@telltale/mail';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, startGmailTestServer, startGraphTestServer, startLocalDovecot, type DovecotEndpoint } from '@telltale/testing';
import { findFreePort } from '@telltale/testing/dist/src/infrastructure/free-port';
import { MailboxSyncConfig, startMailboxSync } from '../../src';
import { localIdentityHeaders, sharedLocalIdentity } from '@telltale/runtime';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000);
const PUSHES = Number(process.env.BENCH_PUSHES ?? 200);
/**
 * GreenMail 2.1.8 answers every FETCH in time quadratic in the folder size (for each message of the
 * folder it copies and scans the folder's UID list to find its sequence number): about 1 s per
 * command at 10 000 messages whatever the range (7 s with a C1-only JIT, see greenmail.local.ts).
 * The follower's 1 000-UID pages keep that to ten commands. BENCH_IMAP_MESSAGES sizes the IMAP
 * mailbox on its own.
 */
const IMAP_MESSAGES = Number(process.env.BENCH_IMAP_MESSAGES ?? MESSAGES);
const REP = 'rep@bench.test';

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run with \`npm run bench:mailbox-sync\``);
  return v;
}

function mime(i: number, to = REP): string {
  return [`From: prospect${i % 97}@acme.test`, `To: ${to}`, `Subject: Re: Proposal ${i}`, `Message-ID: <bench-${i}-${randomBytes(4).toString('hex')}@acme.test>`, `In-Reply-To: <sent-${i}@telltale.test>`, 'Date: Fri, 27 Nov 2026 09:00:00 +0000', 'Content-Type: text/plain; charset=utf-8', '', `Thanks, let's talk. (${i})`, ''].join('\r\n');
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function spread(samples: number[]): { samples: number; p50Ms: number; p99Ms: number; maxMs: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { samples: sorted.length, p50Ms: Math.round(percentile(sorted, 50)), p99Ms: Math.round(percentile(sorted, 99)), maxMs: Math.round(sorted.at(-1) ?? NaN) };
}

/** The settings every push-latency section's mailbox-sync shares; each adds its provider's. */
async function benchServiceEnv(databaseUrl: string, prefix: string, port: string): Promise<Record<string, string>> {
  return {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: env('KAFKA_BROKERS'),
    KAFKA_TOPIC_PREFIX: prefix,
    PORT: port,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    CREDENTIALS_ENCRYPTION_KEYS: `c1:${randomBytes(32).toString('base64')}`,
    ...(await sharedLocalIdentity()).env(),
  };
}

/**
 * Reads `mailbox.message-received.v1` from the bench's Kafka and times push-path samples: each
 * sample delivers one message with a unique Message-ID, then waits (up to 10 s) for its event.
 * Sequential, PUSHES samples.
 */
class PushProbe {
  private readonly consumer: Consumer;
  private readonly seen = new Map<string, number>();
  readonly joined: Promise<void>;

  constructor(private readonly prefix: string) {
    const kafka = new Kafka({ clientId: `${prefix}bench`, brokers: env('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING });
    this.consumer = kafka.consumer({ groupId: `${prefix}bench`, maxWaitTimeInMs: 10 });
    this.joined = new Promise<void>((resolve) => this.consumer.on(this.consumer.events.GROUP_JOIN, () => resolve()));
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: `${this.prefix}mailbox.message-received.v1`, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        const payload = JSON.parse(message.value?.toString('utf8') ?? '{}') as { message?: { messageId?: string } };
        if (payload.message?.messageId) this.seen.set(payload.message.messageId, performance.now());
      },
    });
  }

  async measure(path: string, idPrefix: string, deliver: (i: number, messageId: string) => Promise<void>): Promise<Record<string, unknown>> {
    const latencies: number[] = [];
    for (let i = 0; i < PUSHES; i += 1) {
      const messageId = `<${idPrefix}-${i}-${randomBytes(4).toString('hex')}@acme.test>`;
      const t0 = performance.now();
      await deliver(i, messageId);
      latencies.push((await this.eventAt(messageId)) - t0);
    }
    return { path, ...spread(latencies), goalP99Ms: 2_000 };
  }

  /** When the event of the message with this Message-ID was read (performance.now()); waits up to 10 s for it. */
  async eventAt(messageId: string): Promise<number> {
    const deadline = Date.now() + 10_000;
    while (!this.seen.has(messageId)) {
      if (Date.now() > deadline) throw new Error(`no event for ${messageId} within 10 s`);
      await new Promise((r) => setTimeout(r, 2));
    }
    return this.seen.get(messageId)!;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

async function drainAll(source: MailboxChangeSource): Promise<{ messages: number; seconds: number; peakRssMb: number }> {
  const started = process.hrtime.bigint();
  let cursor: string | null = null;
  let messages = 0;
  let peak = 0;
  for (;;) {
    const page = await source.changesSince(cursor);
    messages += page.messages.length;
    cursor = page.cursor;
    peak = Math.max(peak, process.memoryUsage().rss);
    if (!page.hasMore) break;
  }
  return { messages, seconds: Number(process.hrtime.bigint() - started) / 1e9, peakRssMb: Math.round(peak / 1_048_576) };
}

async function gmailThroughput(): Promise<Record<string, unknown>> {
  const server = await startGmailTestServer({ emailAddress: REP });
  try {
    const loadStart = Date.now();
    for (let i = 0; i < MESSAGES; i += 1) await server.deliver(mime(i));
    const loadSeconds = (Date.now() - loadStart) / 1_000;
    const { accessToken } = server.issueGrant();
    const source = new GmailChangeSource({ gmail: gmailApi({ version: 'v1', rootUrl: server.url }), tokens: { accessToken: async () => accessToken }, pageSize: 100, fetchConcurrency: 8 });
    const run = await drainAll(source);
    return { provider: 'gmail (emulate@0.12.2 via googleapis)', ...run, messagesPerSecond: Math.round(run.messages / run.seconds), seedSeconds: loadSeconds };
  } finally {
    await server.close();
  }
}

async function graphThroughput(): Promise<Record<string, unknown>> {
  const server = await startGraphTestServer({ emailAddress: REP, pageSize: 100 });
  try {
    for (let i = 0; i < MESSAGES; i += 1) server.deliver(mime(i));
    const { accessToken } = server.issueGrant();
    const client = createGraphClient({ tokens: { accessToken: async () => accessToken }, origin: server.origin, ca: server.ca });
    const run = await drainAll(new GraphChangeSource({ client, origin: server.origin, pageSize: 100 }));
    return { provider: 'graph (HTTPS fake via @microsoft/microsoft-graph-client)', ...run, messagesPerSecond: Math.round(run.messages / run.seconds) };
  } finally {
    await server.close();
  }
}

/** Times one ImapMailboxFollower's first catch-up over a seeded mailbox (every message, initial window of ten years). */
async function timedInitialSync(options: Pick<ImapMailboxFollowerOptions, 'host' | 'port' | 'auth' | 'folders'>, expected: number): Promise<{ messages: number; seconds: number; peakRssMb: number; messagesPerSecond: number }> {
  let messages = 0;
  let peak = 0;
  const follower = new ImapMailboxFollower({
    ...options,
    secure: false,
    cursorStore: new InMemoryImapCursorStore(),
    onMessage: async () => {
      messages += 1;
      if (messages % 100 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    },
    initialWindowDays: 3650,
  });
  const started = process.hrtime.bigint();
  await follower.start();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await follower.stop();
  if (messages !== expected) throw new Error(`IMAP sync of ${options.host}:${options.port} read ${messages} of ${expected} messages`);
  return { messages, seconds, peakRssMb: Math.round(peak / 1_048_576), messagesPerSecond: Math.round(messages / seconds) };
}

async function imapThroughput(): Promise<Record<string, unknown>> {
  const host = env('MAIL_HOST');
  const port = Number(env('IMAP_PORT'));
  const user = `bench-${randomUUID()}@telltale.test`;
  const seeder = new ImapFlow({ host, port, secure: false, auth: { user, pass: 'any' }, logger: false, disableAutoIdle: true });
  const seedStart = process.hrtime.bigint();
  await seeder.connect();
  for (let i = 0; i < IMAP_MESSAGES; i += 1) await seeder.append('INBOX', mime(i, user));
  await seeder.logout();
  const seedSeconds = Number(process.hrtime.bigint() - seedStart) / 1e9;
  return {
    provider: 'imap (GreenMail 2.1.8 via imapflow, ImapMailboxFollower)',
    ...(await timedInitialSync({ host, port, auth: { user, pass: 'any' } }, IMAP_MESSAGES)),
    seedSeconds,
    seedMessagesPerSecond: Math.round(IMAP_MESSAGES / seedSeconds),
  };
}

async function pushLatency(): Promise<Record<string, unknown>> {
  const db = await createTestDatabase(env('DATABASE_URL'));
  const gmail = await startGmailTestServer({ emailAddress: REP, redirectUri: 'http://127.0.0.1:9/cb' });
  const prefix = `bench-${randomBytes(4).toString('hex')}.`;
  const pushToken = randomBytes(16).toString('hex');
  const service = await startMailboxSync(
    MailboxSyncConfig.parse({
      ...(await benchServiceEnv(db.url, prefix, '0')),
      GOOGLE_CLIENT_ID: 'telltale-test.apps.googleusercontent.com',
      GOOGLE_CLIENT_SECRET: 'test-secret',
      GOOGLE_REDIRECT_URI: 'http://127.0.0.1:9/cb',
      GOOGLE_OAUTH_AUTH_URL: gmail.authUrl,
      GOOGLE_OAUTH_TOKEN_URL: gmail.tokenUrl,
      GMAIL_API_ROOT_URL: gmail.url,
      GMAIL_POLL_MS: '600000',
      GMAIL_PUBSUB_TOPIC: 'projects/bench/topics/gmail',
      GMAIL_PUSH_TOKEN: pushToken,
    }),
  );
  const probe = new PushProbe(prefix);
  try {
    await probe.start();
    const orgId = randomUUID();
    const start = (await (await fetch(`${service.url}/v1/mailboxes/oauth/google`, { method: 'POST', headers: { 'content-type': 'application/json', ...(await localIdentityHeaders(orgId)) }, body: '{}' })).json()) as { authorizationUrl: string; state: string };
    const code = new URL((await fetch(start.authorizationUrl, { redirect: 'manual' })).headers.get('location') ?? '').searchParams.get('code') ?? '';
    const connected = await fetch(`${service.url}/v1/mailboxes/oauth/google/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(start.state)}`, { headers: await localIdentityHeaders(orgId) });
    if (connected.status !== 200) throw new Error(`connect failed: ${connected.status}`);
    return await probe.measure('Gmail push → mailbox.message-received.v1 on Kafka', 'push', async (i, messageId) => {
      const delivered = await gmail.deliver(mime(i).replace(/^Message-ID: .*$/m, `Message-ID: ${messageId}`));
      const data = Buffer.from(JSON.stringify({ emailAddress: REP, historyId: delivered.historyId })).toString('base64');
      await fetch(`${service.url}/v1/push/gmail?token=${pushToken}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: { data, messageId: randomUUID() }, subscription: 'projects/bench/subscriptions/s' }) });
    });
  } finally {
    await probe.stop();
    await service.stop();
    await gmail.close();
    await db.drop();
  }
}

/** Graph: message delivered → change notification → delta → Kafka, through a real mailbox-sync. */
async function graphPushLatency(): Promise<Record<string, unknown>> {
  const db = await createTestDatabase(env('DATABASE_URL'));
  const graph = await startGraphTestServer({ emailAddress: REP });
  const prefix = `bench-${randomBytes(4).toString('hex')}.`;
  const port = await findFreePort();
  const service = await startMailboxSync(
    MailboxSyncConfig.parse({
      ...(await benchServiceEnv(db.url, prefix, String(port))),
      MS_CLIENT_ID: 'bench-app',
      MS_CLIENT_SECRET: 'bench-secret',
      MS_REDIRECT_URI: 'http://127.0.0.1:9/cb',
      MS_AUTHORITY: graph.authority,
      GRAPH_ORIGIN: graph.origin,
      GRAPH_CA_PEM: graph.ca,
      GRAPH_POLL_MS: '600000',
      GRAPH_NOTIFICATION_URL: `http://127.0.0.1:${port}/v1/push/graph`,
    }),
  );
  const probe = new PushProbe(prefix);
  try {
    await probe.start();
    const orgId = randomUUID();
    const start = (await (await fetch(`${service.url}/v1/mailboxes/oauth/microsoft`, { method: 'POST', headers: { 'content-type': 'application/json', ...(await localIdentityHeaders(orgId)) }, body: '{}' })).json()) as { authorizationUrl: string; state: string };
    const location = await new Promise<string>((resolve, reject) => {
      const req = httpsRequest(start.authorizationUrl, { ca: graph.ca }, (res) => {
        res.resume();
        resolve(res.headers.location ?? '');
      });
      req.on('error', reject);
      req.end();
    });
    const code = new URL(location).searchParams.get('code') ?? '';
    const connected = await fetch(`${service.url}/v1/mailboxes/oauth/microsoft/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(start.state)}`, { headers: await localIdentityHeaders(orgId) });
    if (connected.status !== 200) throw new Error(`connect failed: ${connected.status}`);
    return await probe.measure('Graph change notification → mailbox.message-received.v1 on Kafka (Inbox and Archive alternately)', 'gpush', async (i, messageId) => {
      graph.deliver(mime(i).replace(/^Message-ID: .*$/m, `Message-ID: ${messageId}`), i % 2 === 0 ? 'Inbox' : 'Archive');
    });
  } finally {
    await probe.stop();
    await service.stop();
    await graph.close();
    await db.drop();
  }
}

/** IMAP: SMTP delivery → GreenMail INBOX → IDLE EXISTS → UID SEARCH/FETCH → parse → outbox → Kafka, through a real mailbox-sync. */
async function imapPushLatency(): Promise<Record<string, unknown>> {
  const host = env('MAIL_HOST');
  const imapPort = Number(env('IMAP_PORT'));
  const smtpPort = Number(env('SMTP_PORT'));
  const db = await createTestDatabase(env('DATABASE_URL'));
  const prefix = `bench-${randomBytes(4).toString('hex')}.`;
  const service = await startMailboxSync(
    MailboxSyncConfig.parse({
      ...(await benchServiceEnv(db.url, prefix, '0')),
      // GreenMail is on the bench's machine, an address mailboxes may only use when allowed.
      MAILBOX_HOST_ALLOWLIST: host,
    }),
  );
  const probe = new PushProbe(prefix);
  const smtp = new SmtpMailTransport({ host, port: smtpPort, secure: false });
  try {
    await probe.start();
    // A fresh GreenMail mailbox, connected like a rep would: the service answers once the first sync is done.
    const rep = `bench-push-${randomUUID()}@telltale.test`;
    const connected = await fetch(`${service.url}/v1/mailboxes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await localIdentityHeaders(randomUUID())) },
      body: JSON.stringify({ provider: 'imap', emailAddress: rep, imap: { host, port: imapPort, secure: false }, smtp: { host, port: smtpPort, secure: false }, username: rep, password: 'bench-password' }),
    });
    const mailbox = (await connected.json()) as { state?: string };
    if (connected.status !== 201 || mailbox.state !== 'connected') throw new Error(`connect failed: ${connected.status} ${JSON.stringify(mailbox)}`);
    await probe.joined;
    // Timed from before the SMTP submission: the sample includes handing the message to the server.
    return await probe.measure('SMTP delivery → IMAP IDLE → mailbox.message-received.v1 on Kafka (GreenMail INBOX)', 'ipush', async (i, messageId) => {
      const raw = Buffer.from(mime(i, rep).replace(/^Message-ID: .*$/m, `Message-ID: ${messageId}`));
      await smtp.send({ raw, envelope: { from: `prospect${i % 97}@acme.test`, to: [rep] } });
    });
  } finally {
    smtp.close();
    await probe.stop();
    await service.stop();
    await db.drop();
  }
}

/** Dovecot 2.3 from Debian (its own instance, as the tests start it) for the duration of one section. */
async function withDovecot<T>(run: (dovecot: DovecotEndpoint) => Promise<T>): Promise<T> {
  const dataDir = mkdtempSync(join(tmpdir(), 'telltale-bench-dovecot-'));
  const dovecot = await startLocalDovecot({ dataDir, log: () => undefined });
  try {
    return await run(dovecot.endpoint);
  } finally {
    await dovecot.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const DOVECOT_FOLDERS = ['INBOX', 'Clients', 'Clients/Acme', 'Archive', 'Projects'];

/** Initial sync on Dovecot: IMAP_MESSAGES spread over five folders, the follower on folders 'all' (LIST-STATUS, one connection). */
async function dovecotThroughput(): Promise<Record<string, unknown>> {
  return withDovecot(async (dovecot) => {
    const user = `bench-${randomUUID()}@telltale.test`;
    const auth = { user, pass: dovecot.password };
    const seeder = new ImapFlow({ host: dovecot.host, port: dovecot.imapPort, secure: false, auth, logger: false, disableAutoIdle: true });
    const seedStart = process.hrtime.bigint();
    await seeder.connect();
    for (const folder of DOVECOT_FOLDERS.slice(1)) await seeder.mailboxCreate(folder);
    for (let i = 0; i < IMAP_MESSAGES; i += 1) await seeder.append(DOVECOT_FOLDERS[i % DOVECOT_FOLDERS.length]!, mime(i, user));
    await seeder.logout();
    const seedSeconds = Number(process.hrtime.bigint() - seedStart) / 1e9;
    return {
      provider: 'imap (Dovecot 2.3 from Debian via imapflow, ImapMailboxFollower, folders all)',
      folders: DOVECOT_FOLDERS.length,
      ...(await timedInitialSync({ host: dovecot.host, port: dovecot.imapPort, auth, folders: 'all' }, IMAP_MESSAGES)),
      seedSeconds,
    };
  });
}

/**
 * Reply appended to a Dovecot INBOX → mailbox.message-received.v1, through a real mailbox-sync. A
 * second IMAP session IDLEs on the same INBOX and timestamps the server's EXISTS: from the APPEND
 * to it is the server's share (Dovecot notifies IDLE sessions on its own schedule), from it to the
 * event on Kafka ours (fetch, parse, outbox, Kafka).
 */
async function dovecotPushLatency(): Promise<Record<string, unknown>> {
  return withDovecot(async (dovecot) => {
    const db = await createTestDatabase(env('DATABASE_URL'));
    const prefix = `bench-${randomBytes(4).toString('hex')}.`;
    const service = await startMailboxSync(MailboxSyncConfig.parse({ ...(await benchServiceEnv(db.url, prefix, '0')), MAILBOX_HOST_ALLOWLIST: dovecot.host }));
    const probe = new PushProbe(prefix);
    const rep = `bench-push-${randomUUID()}@telltale.test`;
    const auth = { user: rep, pass: dovecot.password };
    const watcher = new ImapFlow({ host: dovecot.host, port: dovecot.imapPort, secure: false, auth, logger: false });
    const appender = new ImapFlow({ host: dovecot.host, port: dovecot.imapPort, secure: false, auth, logger: false, disableAutoIdle: true });
    let lastExists = 0;
    const serverShare: number[] = [];
    const ourShare: number[] = [];
    try {
      await probe.start();
      await watcher.connect();
      await appender.connect();
      const connected = await fetch(`${service.url}/v1/mailboxes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await localIdentityHeaders(randomUUID())) },
        // Dovecot has no SMTP: the connection check logs in to the bench's GreenMail SMTP, which takes any login.
        body: JSON.stringify({ provider: 'imap', emailAddress: rep, imap: { host: dovecot.host, port: dovecot.imapPort, secure: false }, smtp: { host: env('MAIL_HOST'), port: Number(env('SMTP_PORT')), secure: false }, username: rep, password: dovecot.password }),
      });
      const mailbox = (await connected.json()) as { state?: string };
      if (connected.status !== 201 || mailbox.state !== 'connected') throw new Error(`connect failed: ${connected.status} ${JSON.stringify(mailbox)}`);
      await probe.joined;
      await watcher.mailboxOpen('INBOX', { readOnly: true });
      watcher.on('exists', () => {
        lastExists = performance.now();
      });
      void watcher.idle();
      const total: number[] = [];
      for (let i = 0; i < PUSHES; i += 1) {
        const messageId = `<dpush-${i}-${randomBytes(4).toString('hex')}@acme.test>`;
        const t0 = performance.now();
        await appender.append('INBOX', mime(i, rep).replace(/^Message-ID: .*$/m, `Message-ID: ${messageId}`));
        const eventAt = await probe.eventAt(messageId);
        const deadline = Date.now() + 10_000;
        while (lastExists < t0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
        total.push(eventAt - t0);
        serverShare.push(lastExists - t0);
        ourShare.push(eventAt - lastExists);
      }
      return {
        path: 'IMAP APPEND → Dovecot IDLE → mailbox.message-received.v1 on Kafka (Dovecot INBOX)',
        total: spread(total),
        serverNotify: { ...spread(serverShare), what: 'APPEND sent → EXISTS seen by another IDLE session on the same INBOX' },
        ours: { ...spread(ourShare), what: 'that EXISTS → the event read from Kafka (fetch, parse, outbox, Kafka)', goalP99Ms: 50 },
      };
    } finally {
      await watcher.logout().catch(() => watcher.close());
      await appender.logout().catch(() => appender.close());
      await probe.stop();
      await service.stop();
      await db.drop();
    }
  });
}

/** A TCP relay in front of Dovecot that counts the bytes each way and the commands the client sends. */
async function countingRelay(target: DovecotEndpoint): Promise<{ port: number; counts: { toServer: number; toClient: number; commands: number }; close: () => Promise<void> }> {
  const counts = { toServer: 0, toClient: 0, commands: 0 };
  const sockets: Socket[] = [];
  const server = createServer((client) => {
    const upstream = connect(target.imapPort, target.host);
    sockets.push(client, upstream);
    client.on('data', (chunk: Buffer) => {
      counts.toServer += chunk.length;
      // A command line starts with a tag (RFC 9051 §2.2.1); literals and IDLE's DONE do not.
      counts.commands += chunk.toString('latin1').split('\r\n').filter((line) => /^[A-Za-z0-9.]+ [A-Za-z]/.test(line)).length;
    });
    upstream.on('data', (chunk: Buffer) => {
      counts.toClient += chunk.length;
    });
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = async () => {
    sockets.forEach((socket) => socket.destroy());
    await new Promise((resolve) => server.close(resolve));
  };
  return { port: (server.address() as { port: number }).port, counts, close };
}

const POLL_FOLDERS = Number(process.env.BENCH_POLL_FOLDERS ?? 20);
const POLLS = Number(process.env.BENCH_POLLS ?? 50);

/**
 * Issue 18: what one poll of an UNCHANGED mailbox costs on Dovecot (which advertises LIST-STATUS,
 * CONDSTORE and QRESYNC), per way of asking "is there new mail in any folder?": commands (round
 * trips), bytes each way and milliseconds per poll, over BENCH_POLL_FOLDERS folders (default 20)
 * holding a few messages each. INBOX is not polled (IDLE tells), so every way asks about the rest.
 * - listStatus: what the follower does where LIST-STATUS (RFC 5819) is advertised — one command.
 * - statusPerFolder: LIST, then STATUS (UIDNEXT UIDVALIDITY) per folder — servers without LIST-STATUS.
 * - statusModseqPerFolder: the same with HIGHESTMODSEQ (CONDSTORE, RFC 7162) — what a modseq-based
 *   check would ask; it can only add to the answer, since UIDNEXT already says whether mail arrived.
 * - selectCondstorePerFolder: SELECT each folder with CONDSTORE enabled — what a QRESYNC resync
 *   (SELECT … (QRESYNC (uidvalidity modseq))) costs at least, one SELECT per folder.
 */
async function dovecotPollCost(): Promise<Record<string, unknown>> {
  return withDovecot(async (dovecot) => {
    const user = `bench-poll-${randomUUID()}@telltale.test`;
    const auth = { user, pass: dovecot.password };
    const folders = Array.from({ length: POLL_FOLDERS }, (_, i) => `Folder${String(i).padStart(2, '0')}`);
    const seeder = new ImapFlow({ host: dovecot.host, port: dovecot.imapPort, secure: false, auth, logger: false, disableAutoIdle: true });
    await seeder.connect();
    for (const folder of folders) {
      await seeder.mailboxCreate(folder);
      for (let i = 0; i < 5; i += 1) await seeder.append(folder, mime(i, user));
    }
    await seeder.logout();
    const ways: Record<string, (client: ImapFlow) => Promise<void>> = {
      listStatus: async (client) => {
        await client.list({ statusQuery: { uidNext: true, uidValidity: true } });
      },
      statusPerFolder: async (client) => {
        await client.list();
        for (const folder of folders) await client.status(folder, { uidNext: true, uidValidity: true });
      },
      statusModseqPerFolder: async (client) => {
        await client.list();
        for (const folder of folders) await client.status(folder, { uidNext: true, uidValidity: true, highestModseq: true });
      },
      selectCondstorePerFolder: async (client) => {
        await client.list();
        for (const folder of folders) await client.mailboxOpen(folder, { readOnly: true });
      },
    };
    const result: Record<string, unknown> = { folders: POLL_FOLDERS, polls: POLLS, capabilities: '' };
    for (const [name, poll] of Object.entries(ways)) {
      const relay = await countingRelay(dovecot);
      const client = new ImapFlow({ host: '127.0.0.1', port: relay.port, secure: false, auth, logger: false, disableAutoIdle: true });
      try {
        await client.connect();
        result.capabilities = [...client.capabilities.keys()].filter((c) => /^(CONDSTORE|QRESYNC|LIST-STATUS|IDLE|MOVE|UIDPLUS)$/.test(c)).join(' ');
        await poll(client); // warm: the first LIST is cached by neither side, but the connection is
        const before = { ...relay.counts };
        const started = performance.now();
        for (let i = 0; i < POLLS; i += 1) await poll(client);
        const ms = performance.now() - started;
        result[name] = {
          commandsPerPoll: Math.round(((relay.counts.commands - before.commands) / POLLS) * 10) / 10,
          bytesToServerPerPoll: Math.round((relay.counts.toServer - before.toServer) / POLLS),
          bytesToClientPerPoll: Math.round((relay.counts.toClient - before.toClient) / POLLS),
          msPerPoll: Math.round((ms / POLLS) * 100) / 100,
        };
      } finally {
        await client.logout().catch(() => client.close());
        await relay.close();
      }
    }
    return result;
  });
}

async function main(): Promise<void> {
  const only = (process.env.BENCH_ONLY ?? 'gmail,graph,imap,push,graphpush,imappush,dovecot,dovecotpush,pollcost').split(',');
  const result: Record<string, unknown> = { messages: MESSAGES };
  const sections: [string, () => Promise<Record<string, unknown>>][] = [
    ['graph', graphThroughput],
    ['gmail', gmailThroughput],
    ['push', pushLatency],
    ['graphpush', graphPushLatency],
    ['imap', imapThroughput],
    ['imappush', imapPushLatency],
    ['dovecot', dovecotThroughput],
    ['dovecotpush', dovecotPushLatency],
    ['pollcost', dovecotPollCost],
  ];
  for (const [name, run] of sections) {
    if (!only.includes(name)) continue;
    result[name] = await run();
    // Progress on stderr, so a slow later section does not hide the figures already measured.
    process.stderr.write(`[bench] ${name}: ${JSON.stringify(result[name])}\n`);
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
