import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { Kafka, logLevel } from 'kafkajs';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { Client } from 'pg';
import { crmWriterSandboxEnv, startSalesforceSandbox, type SalesforceSandbox } from '@telltale/testing';
import { findFreePort } from '@telltale/testing/dist/src/infrastructure/free-port';
import type { KafkaEndpoint, PostgresEndpoint, StartedComponent } from '@telltale/testing/dist/src/infrastructure/infrastructure.types';
import { startLocalKafka } from '@telltale/testing/dist/src/infrastructure/kafka.local';
import { ensureMavenComponent } from '@telltale/testing/dist/src/infrastructure/maven-component';
import { startLocalPostgres } from '@telltale/testing/dist/src/infrastructure/postgres.local';
import { findRepoRoot, repoPaths } from '@telltale/testing/dist/src/infrastructure/repo-paths';
import { callApi, enrollWhenMailboxKnown, eventually, requiredEnv, sandboxMailbox, ServiceProcess, type ServiceName } from '../src';
import { sharedLocalIdentity } from '@telltale/runtime';

/**
 * Chaos across the whole journey (issue 10): many enrollments go send → sync → reply → stop →
 * Salesforce while, in turn, a service is SIGKILLed mid-work, the Kafka broker restarts, PostgreSQL
 * restarts, and every other service is SIGKILLed and restarted. The services run as processes of
 * their own, on a broker and a database this file owns (so it can restart them), with the suite's
 * GreenMail as the mail server. When everything has settled (outboxes empty, every consumer group
 * caught up), it counts: every step sent at most once, every reply stops its enrollment and nothing
 * is sent after the stop, every email and reply is one Salesforce Task, every open recorded once,
 * no dead letter.
 *
 * CI runs 8 enrollments; `CHAOS_ENROLLMENTS=40 npm test -- 'libs/system-tests/dist/test/chaos.e2e.test.js'`
 * is the longer run (see the README).
 */

const ENROLLMENTS = Math.max(2, Number(process.env.CHAOS_ENROLLMENTS ?? 8));
const REPLIERS = Math.ceil(ENROLLMENTS / 2);
/** Step 2 is due this long after step 1: long enough that most replies land first, short enough to see step 2 go out. */
const STEP_2_DELAY_MINUTES = 2;
const tag = randomBytes(3).toString('hex');
const ORG = randomUUID();
const REP = `rep-${tag}@telltale.test`;
const prospects = Array.from({ length: ENROLLMENTS }, (_, i) => `p${i}-${tag}@prospect.test`);
const SUBJECT_1 = `Chaos ${tag}: the plan`;
const SUBJECT_2 = `Chaos ${tag}: following up`;

let workDir: string;
let libsDir: string;
let ports: { broker: number; controller: number; postgres: number };
let kafka: StartedComponent<KafkaEndpoint> | null = null;
let postgres: StartedComponent<PostgresEndpoint> | null = null;
let salesforce: SalesforceSandbox;
const services = new Map<ServiceName, ServiceProcess>();
const service = (name: ServiceName): ServiceProcess => services.get(name)!;
const contactOf = new Map<string, string>();
const chaosLog: string[] = [];

function note(line: string): void {
  chaosLog.push(`${new Date().toISOString()} ${line}`);
}

async function startKafka(): Promise<void> {
  kafka = await startLocalKafka({ dataDir: join(workDir, 'kafka'), libsDir, brokerPort: ports.broker, controllerPort: ports.controller, checkPortsFree: false, log: () => undefined });
}

/** Not throwaway: its data must survive the restart (and stays inside workDir, which the postgres user may pass through). */
async function startPostgres(): Promise<void> {
  postgres = await startLocalPostgres({ dataDir: join(workDir, 'pg'), port: ports.postgres, checkPortFree: false, throwaway: false, log: () => undefined });
}

async function sql<T>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: postgres!.endpoint.databaseUrl });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

interface InboxMessage {
  subject: string;
  messageId: string;
  html: string;
}

async function inbox(address: string): Promise<InboxMessage[]> {
  const client = new ImapFlow({ host: requiredEnv('MAIL_HOST'), port: Number(requiredEnv('IMAP_PORT')), secure: false, auth: { user: address, pass: 'any' }, logger: false, disableAutoIdle: true });
  await client.connect();
  try {
    const lock = await client.getMailboxLock('INBOX');
    try {
      const out: InboxMessage[] = [];
      if (client.mailbox && client.mailbox.exists > 0) {
        for await (const m of client.fetch('1:*', { source: true })) {
          if (!m.source) continue;
          const parsed = await simpleParser(m.source);
          out.push({ subject: parsed.subject ?? '', messageId: parsed.messageId ?? '', html: String(parsed.html) });
        }
      }
      return out;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
}

const api = (name: ServiceName, path: string, init: { method?: string; body?: unknown } = {}) => callApi(service(name).url, path, ORG, init);

/** Restarts a service the hard way and notes it. */
async function killAndRestart(name: ServiceName): Promise<void> {
  note(`SIGKILL ${name}`);
  await service(name).kill();
  await service(name).start();
  note(`${name} back`);
}

/** Every outbox published and every consumer group at the end of every partition it reads. */
async function settled(admin: ReturnType<Kafka['admin']>): Promise<string | undefined> {
  for (const schema of ['sequencer', 'sender', 'tracker', 'mailbox_sync', 'reply_detector', 'crm_writer']) {
    const [row] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.outbox WHERE published_at IS NULL`);
    if ((row?.n ?? 0) > 0) return undefined;
  }
  const { groups } = await admin.listGroups();
  for (const { groupId } of groups) {
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
      const ends = await admin.fetchTopicOffsets(topic);
      for (const p of partitions) {
        const end = ends.find((e) => e.partition === p.partition)?.high ?? '0';
        // -1: nothing committed yet, fine only while the partition is empty.
        if (p.offset === '-1' ? end !== '0' : BigInt(p.offset) < BigInt(end)) return undefined;
      }
    }
  }
  return 'settled';
}

before(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'telltale-chaos-'));
  chmodSync(workDir, 0o711);
  const repo = repoPaths(findRepoRoot());
  libsDir = await ensureMavenComponent({ name: 'kafka', pom: repo.kafkaPom, targetDir: join(repo.toolsDir, 'kafka') }, () => undefined);
  ports = { broker: await findFreePort(), controller: await findFreePort(), postgres: await findFreePort() };
  await startPostgres();
  await startKafka();
  salesforce = await startSalesforceSandbox({ port: await findFreePort() });
  for (const p of prospects) contactOf.set(p, salesforce.seed('Contact', { FirstName: 'Chaos', LastName: p.split('@')[0], Email: p }));

  const logDir = join(workDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const trackingKeys = `t1:${randomBytes(32).toString('base64')}`;
  const portOf = new Map<ServiceName, number>();
  for (const name of ['sequencer', 'sender', 'tracker', 'mailbox-sync', 'reply-detector', 'crm-writer'] as const) portOf.set(name, await findFreePort());
  const url = (name: ServiceName): string => `http://127.0.0.1:${portOf.get(name)}`;
  const identity = await sharedLocalIdentity();
  const common = {
    DATABASE_URL: postgres!.endpoint.databaseUrl,
    KAFKA_BROKERS: `127.0.0.1:${ports.broker}`,
    LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'warn',
    ...identity.env(),
  };
  const specific: Record<ServiceName, Record<string, string>> = {
    sequencer: { SEQUENCER_TICK_MS: '500' },
    'mailbox-sync': { CREDENTIALS_ENCRYPTION_KEYS: `c1:${randomBytes(32).toString('base64')}`, MAILBOX_FOLDER_POLL_MS: '2000', MAILBOX_HOST_ALLOWLIST: requiredEnv('MAIL_HOST') },
    tracker: { TRACKING_SIGNING_KEYS: trackingKeys, TRACKER_SPILL_DIR: join(workDir, 'spill') },
    sender: { TRACKING_BASE_URL: url('tracker'), TRACKING_SIGNING_KEYS: trackingKeys, SEQUENCER_URL: url('sequencer'), MAILBOX_SYNC_URL: url('mailbox-sync'), ...identity.senderEnv() },
    'reply-detector': {},
    'crm-writer': crmWriterSandboxEnv(salesforce),
  };
  for (const [name, env] of Object.entries(specific) as [ServiceName, Record<string, string>][]) {
    const started = new ServiceProcess(name, portOf.get(name)!, { ...common, ...env }, logDir);
    services.set(name, started);
    await started.start();
  }
});

after(async () => {
  for (const s of services.values()) await s.stop().catch(() => undefined);
  await salesforce?.stop();
  await kafka?.stop().catch(() => undefined);
  await postgres?.stop().catch(() => undefined);
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test(`chaos: ${ENROLLMENTS} enrollments through send, sync, reply, stop and Salesforce while the broker, the database and every service fail`, { timeout: 900_000 }, async (t) => {
  const diagnostics = (): string => [...chaosLog, ...[...services.values()].map((s) => `--- ${s.name} (started ${s.starts}x)\n${s.tail(15)}`)].join('\n');
  try {
    await journeyUnderChaos(t);
  } catch (error) {
    if (error instanceof Error) error.message += `\n--- what the chaos did, and the last lines of each service's log:\n${diagnostics()}`;
    throw error;
  }
});

async function journeyUnderChaos(t: TestContext): Promise<void> {
  const mailbox = await api('mailbox-sync', '/v1/mailboxes', { body: sandboxMailbox(REP) });
  assert.equal(mailbox.status, 201, JSON.stringify(mailbox.body));
  const sequence = await api('sequencer', '/v1/sequences', {
    body: {
      name: `Chaos ${tag}`,
      steps: [
        { subject: SUBJECT_1, html: '<p>Hi,</p><p>See <a href="https://www.encom.com/plan">the plan</a>.</p>' },
        { delayMinutes: STEP_2_DELAY_MINUTES, subject: SUBJECT_2, html: '<p>Just bumping this up.</p>' },
      ],
    },
  });
  assert.equal(sequence.status, 201, JSON.stringify(sequence.body));

  // 1. Enrol everyone; the sender is SIGKILLed as soon as it has sent the first email.
  const enrollmentOf = new Map<string, string>();
  for (const p of prospects) {
    const e = await enrollWhenMailboxKnown(service('sequencer').url, sequence.body.id, ORG, { mailboxId: mailbox.body.id, from: { address: REP, name: 'Chaos Rep' }, prospect: { email: p, name: 'Chaos Prospect' } });
    assert.equal(e.status, 201, JSON.stringify(e.body));
    enrollmentOf.set(p, e.body.id);
  }
  await eventually('the first email sent', async () => ((await sql<{ n: number }>(`SELECT count(*)::int AS n FROM sender.sent_email WHERE status = 'sent'`))[0]!.n > 0 ? true : undefined), { timeoutMs: 120_000, intervalMs: 500 });
  await killAndRestart('sender');

  // 2. The broker restarts, then PostgreSQL, while step 1 is still going out.
  note('Kafka stop');
  await kafka!.stop();
  await startKafka();
  note('Kafka back');
  note('PostgreSQL stop');
  await postgres!.stop();
  await startPostgres();
  note('PostgreSQL back');

  const stepOne = new Map<string, InboxMessage>();
  await eventually(
    'step 1 in every inbox',
    async () => {
      for (const p of prospects) {
        if (stepOne.has(p)) continue;
        const first = (await inbox(p)).find((m) => m.subject === SUBJECT_1);
        if (first) stepOne.set(p, first);
      }
      return stepOne.size === prospects.length ? true : undefined;
    }, { timeoutMs: 240_000, intervalMs: 500 });

  // 3. Every prospect opens step 1 once. Half-way, once the opens so far are in Kafka, the tracker
  //    is SIGKILLed right after answering one more: that open may be lost, since a hit is written to
  //    Kafka up to 50 ms after it is answered (ADR 6), but nothing may be doubled.
  const admin = new Kafka({ clientId: 'chaos-test', brokers: [`127.0.0.1:${ports.broker}`], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  t.after(() => admin.disconnect());
  const hitsInKafka = async (): Promise<number> => (await admin.fetchTopicOffsets('tracking.engagement.v1')).reduce((sum, o) => sum + Number(o.high), 0);
  const half = Math.floor(prospects.length / 2);
  const openedJustBeforeKill = prospects[half]!;
  for (const [index, p] of prospects.entries()) {
    if (index === half) await eventually('the opens so far in Kafka', async () => ((await hitsInKafka()) >= half ? true : undefined), { timeoutMs: 60_000, intervalMs: 200 });
    const pixel = /<img[^>]+src="([^"]+\/o\/[^"]+)"/.exec(stepOne.get(p)!.html)?.[1];
    assert.ok(pixel, `step 1 to ${p} has a pixel`);
    const res = await fetch(pixel.replace(/^https?:\/\/[^/]+/, service('tracker').url), { headers: { 'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15' } });
    assert.equal(res.status, 200);
    if (index === half) await killAndRestart('tracker');
  }

  // 4. Half the prospects reply in thread; between replies, the services on the reply's path die in turn.
  const smtp = nodemailer.createTransport({ host: requiredEnv('MAIL_HOST'), port: Number(requiredEnv('SMTP_PORT')), secure: false });
  const repliers = prospects.slice(0, REPLIERS);
  const victims: ServiceName[] = ['mailbox-sync', 'reply-detector', 'sequencer', 'crm-writer'];
  for (const [index, p] of repliers.entries()) {
    const original = stepOne.get(p)!;
    await smtp.sendMail({ from: p, to: REP, subject: `Re: ${SUBJECT_1}`, text: 'Interested, call me.', inReplyTo: original.messageId, references: [original.messageId] });
    note(`reply from ${p}`);
    const victim = victims[index % victims.length]!;
    if (index < victims.length) await killAndRestart(victim);
  }
  for (const victim of victims.slice(repliers.length)) await killAndRestart(victim);

  // 5. Every reply stops its enrollment; everyone else gets step 2 once it is due.
  await eventually(
    'every replied enrollment stopped',
    async () => {
      for (const p of repliers) if ((await api('sequencer', `/v1/enrollments/${enrollmentOf.get(p)}`)).body.state !== 'stopped') return undefined;
      return true;
    }, { timeoutMs: 300_000, intervalMs: 500 });
  const silent = prospects.slice(REPLIERS);
  await eventually('step 2 in the inbox of everyone who did not reply', async () => {
    for (const p of silent) if (!(await inbox(p)).some((m) => m.subject === SUBJECT_2)) return undefined;
    return true;
  }, { timeoutMs: 420_000, intervalMs: 500 });

  // 6. Let it settle: nothing unpublished, every consumer group at the end of its partitions.
  {
    await eventually('outboxes empty and every consumer caught up', () => settled(admin), { timeoutMs: 240_000, intervalMs: 500 });
    // crm-writer writes what it consumed in batches: its queue drained too (a batch the killed
    // process had claimed waits out its lease first).
    await eventually('crm-writer wrote every activity', async () => ((await sql<{ n: number }>(`SELECT count(*)::int AS n FROM crm_writer.crm_activity WHERE state = 'pending'`))[0]?.n === 0 ? true : undefined), { timeoutMs: 240_000, intervalMs: 500 });

    // Every step at most once: one Message-ID per step in each inbox, and one sender record each.
    // A second copy with the same Message-ID is the one window left (the sender's transaction
    // covers the provider call, so an email the SMTP server accepted just before the SIGKILL is
    // sent again on redelivery, under the same Message-ID, which receiving providers collapse);
    // it is counted and shown, and may only happen to step 1, the step the sender died during.
    let stepsSent = 0;
    let resentCopies = 0;
    const emailsTo = new Map<string, number>();
    for (const p of prospects) {
      const received = await inbox(p);
      for (const subject of [SUBJECT_1, SUBJECT_2]) {
        const copies = received.filter((m) => m.subject === subject);
        const ids = new Set(copies.map((m) => m.messageId));
        assert.ok(ids.size <= 1, `${p} got ${ids.size} different emails for "${subject}"`);
        if (copies.length > 1) {
          assert.equal(subject, SUBJECT_1, `${p}: "${subject}" arrived ${copies.length} times`);
          resentCopies += copies.length - 1;
        }
      }
      assert.ok(received.some((m) => m.subject === SUBJECT_1), `${p} got step 1`);
      const distinct = new Set(received.map((m) => m.messageId)).size;
      emailsTo.set(p, distinct);
      stepsSent += distinct;
    }
    note(`${resentCopies} copy(ies) re-sent under the same Message-ID after the sender's SIGKILL`);
    const [senderRows] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM sender.sent_email WHERE status = 'sent'`);
    assert.equal(senderRows!.n, stepsSent, 'the sender recorded each email it sent, once');

    // Every reply stopped its enrollment, and nothing went out after the stop.
    for (const p of repliers) {
      const e = await api('sequencer', `/v1/enrollments/${enrollmentOf.get(p)}`);
      assert.equal(e.body.state, 'stopped');
      assert.equal(e.body.stopReason, 'replied');
      const [ended] = await sql<{ ended_at: Date }>(`SELECT ended_at FROM sequencer.enrollment WHERE id = $1`, [enrollmentOf.get(p)]);
      for (const step of e.body.steps as { status: string; sentAt: string | null }[]) {
        if (step.sentAt !== null) assert.ok(Date.parse(step.sentAt) <= ended!.ended_at.getTime(), `${p}: a step went out after the stop`);
      }
    }
    for (const p of silent) assert.equal((await api('sequencer', `/v1/enrollments/${enrollmentOf.get(p)}`)).body.state, 'completed');

    // Salesforce: exactly one Task per email sent and per reply, on the prospect's Contact.
    const tasks = salesforce.records('Task');
    for (const p of prospects) {
      const sentTo = emailsTo.get(p)!;
      const expected = sentTo + (repliers.includes(p) ? 1 : 0);
      const mine = tasks.filter((task) => task.WhoId === contactOf.get(p));
      assert.equal(mine.length, expected, `${p}: ${mine.length} Tasks for ${sentTo} emails${repliers.includes(p) ? ' and a reply' : ''}: ${mine.map((task) => task.Subject).join(', ')}`);
    }

    // Every open recorded once, but for the one answered right before the SIGKILL, which may be lost.
    const opens = await sql<{ address: string; n: number }>(
      `SELECT s.recipients->'to'->0->>'address' AS address, count(e.id)::int AS n FROM sender.sent_email s
       LEFT JOIN tracker.engagement e ON e.sent_email_id = s.id AND e.type = 'opened' WHERE s.step_number = 1 GROUP BY s.id`,
    );
    assert.equal(opens.length, prospects.length);
    for (const { address, n } of opens) {
      if (address === openedJustBeforeKill) assert.ok(n <= 1, `${address}: ${n} opens`);
      else assert.equal(n, 1, `${address}: ${n} opens`);
    }
    note(`the open answered right before the tracker's SIGKILL was ${opens.find((o) => o.address === openedJustBeforeKill)?.n === 1 ? 'kept' : 'lost'}`);

    // No dead letters: each would name a failure the chaos caused and we did not absorb.
    const dlq = (await admin.listTopics()).filter((topic) => topic.includes('.dlq.'));
    for (const topic of dlq) {
      const offsets = await admin.fetchTopicOffsets(topic);
      const count = offsets.reduce((sum, o) => sum + Number(BigInt(o.high) - BigInt(o.low)), 0);
      assert.equal(count, 0, `${count} dead letter(s) on ${topic}`);
    }
    note(`settled: ${stepsSent} emails, ${repliers.length} replies, ${tasks.length} Tasks, ${dlq.length} DLQ topics (empty)`);
    process.stderr.write(`chaos: ${chaosLog.join('\nchaos: ')}\n`);
    t.diagnostic(chaosLog.join('\n'));
  }
}
