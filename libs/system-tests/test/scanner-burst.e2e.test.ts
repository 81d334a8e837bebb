import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { emailSentTopic, type EmailSent } from '@telltale/contracts';
import { IdentityTokenIssuer, type StartedService } from '@telltale/runtime';
import { createTestDatabase } from '@telltale/testing';
import { TrackerConfig, startTracker } from '@telltale/tracker';
import { buildClickUrl, parseSigningKeys, signTrackingToken } from '@telltale/tracking';
import { AppBrowser, eventually, requiredEnv, serviceIdentityEnv, startIdentitySystem, type IdentitySystem } from '../src';
import { EventProducer } from '../src/event-producer';
import { SseClient } from '../src/sse-client';

/**
 * Issue 19's done-condition, end to end: a security scanner that clicks every link of an email
 * (from one address, a browser's user agent, through a load balancer that sets X-Forwarded-For)
 * leaves no human click in the tracker's store, its counters (GET /api/v1/emails/:id/engagement
 * through the app's gateway) or the live feed (history and stream) — also when its clicks reach two
 * tracker replicas, neither of which sees the burst. A person's single click stays human.
 */
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const trackingKeySpec = `t1:${randomBytes(32).toString('base64')}`;
const trackingKeys = parseSigningKeys(trackingKeySpec);
let system: IdentitySystem;
let replicas: StartedService[] = [];
let producer: EventProducer;
let drop: () => Promise<void>;
let db: Client;
let admin: AppBrowser;
const streams: SseClient[] = [];
const mailboxId = randomUUID();

interface Item {
  id: string;
  kind: string;
  sentEmailId: string | null;
  machine: boolean;
  machineReasons: string[];
  summary: string;
  detail: { correction?: { replaces: string; previousLabel: string }; linkIndex?: number };
}

before(async () => {
  const database = await createTestDatabase(requiredEnv('DATABASE_URL'));
  drop = database.drop;
  db = new Client({ connectionString: database.url });
  await db.connect();
  const prefix = `burst-${randomBytes(4).toString('hex')}.`;
  const signing = await IdentityTokenIssuer.generate('telltale-app');
  const trackerEnv = {
    ...serviceIdentityEnv(signing),
    DATABASE_URL: database.url,
    KAFKA_BROKERS: requiredEnv('KAFKA_BROKERS'),
    KAFKA_TOPIC_PREFIX: prefix,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    TRACKING_SIGNING_KEYS: trackingKeySpec,
    // The test stands in for the load balancer, on loopback: X-Forwarded-For is the client.
    TRUST_PROXY: 'loopback',
  };
  // Two replicas behind one load balancer, in one engagement-store consumer group (each its own spill).
  for (const n of [1, 2]) replicas.push(await startTracker(TrackerConfig.parse({ ...trackerEnv, TRACKER_SPILL_DIR: `${process.env.TMPDIR ?? '/tmp'}/burst-spill-${prefix}${n}` })));
  system = await startIdentitySystem({ databaseUrl: database.url, kafkaBrokers: requiredEnv('KAFKA_BROKERS'), topicPrefix: prefix, signing, upstreams: { tracker: replicas[0]!.url } });
  producer = new EventProducer(new Kafka({ clientId: 'burst-test', brokers: requiredEnv('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING }), prefix);
  await producer.start();
  admin = new AppBrowser(system.app.url);
  assert.equal((await admin.signIn('admin@telltale.test')).status, 302);
});

after(async () => {
  await Promise.all(streams.map((s) => s.close()));
  await producer?.stop();
  await system?.stop();
  for (const r of replicas) await r.stop();
  replicas = [];
  await db?.end();
  await drop?.();
});

/** An email sent an hour ago (so "click before any open" does not apply) with `links` tracked links. */
async function sendEmail(links: number): Promise<{ sent: EmailSent; clickUrl: (replica: StartedService, linkIndex: number) => string }> {
  const id = randomUUID();
  const sentAt = new Date(Date.now() - 3_600_000);
  const sent: EmailSent = {
    sentEmailId: id,
    sendRequestId: randomUUID(),
    orgId: system.orgId,
    mailboxId,
    enrollmentId: null,
    sequenceId: null,
    stepNumber: null,
    messageId: `<${id}@telltale.test>`,
    providerMessageId: null,
    providerThreadId: null,
    from: { address: 'admin@telltale.test', name: 'Admin' },
    to: [{ address: 'flynn@encom.example', name: 'Kevin Flynn' }],
    cc: [],
    subject: 'The Grid',
    tracking: { opens: true, clicks: true, trackedLinks: links },
    sentAt: sentAt.toISOString(),
  };
  await producer.produce(emailSentTopic, sent, system.orgId);
  const clickUrl = (replica: StartedService, linkIndex: number) =>
    buildClickUrl(replica.url, signTrackingToken({ kind: 'click', orgId: system.orgId, sentEmailId: id, linkIndex, url: `https://encom.example/page/${linkIndex}`, issuedAt: sentAt }, trackingKeys));
  return { sent, clickUrl };
}

async function click(url: string, clientAddress: string): Promise<void> {
  const res = await fetch(url, { headers: { 'user-agent': CHROME, 'x-forwarded-for': clientAddress }, redirect: 'manual' });
  assert.equal(res.status, 302);
}

const storedLabels = async (sentEmailId: string) =>
  (await db.query(`SELECT link_index, label, corrected_from, reasons FROM tracker.engagement WHERE sent_email_id = $1 ORDER BY occurred_at, link_index`, [sentEmailId])).rows as {
    link_index: number;
    label: string;
    corrected_from: string | null;
    reasons: string[];
  }[];

async function counters(sentEmailId: string): Promise<{ humanClicks: number; machineHits: number }> {
  const res = await admin.fetch(`/api/v1/emails/${sentEmailId}/engagement`);
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as { humanClicks: number; machineHits: number };
}

async function history(query: string): Promise<Item[]> {
  const res = await admin.fetch(`/api/v1/feed${query}`);
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { items: Item[] }).items;
}

/** What a browser shows from the stream: every item, minus those a correction replaced (as FeedPage does). */
function shown(stream: SseClient): Item[] {
  const byId = new Map<string, Item>();
  for (const item of stream.feed().map((e) => JSON.parse(e.data) as Item)) {
    if (item.detail.correction) byId.delete(item.detail.correction.replaces);
    byId.set(item.id, item);
  }
  return [...byId.values()];
}

describe('a scanner clicking every link of an email leaves no human click anywhere', () => {
  it('on one replica and across two: store, counters, feed history and stream', async () => {
    const stream = await SseClient.open(new URL('/api/v1/feed/stream?includeMachine=true', system.app.url).toString(), { cookie: admin.cookies.header(new URL(system.app.url))! });
    streams.push(stream);
    assert.equal(stream.status, 200);
    const [a, b] = [replicas[0]!, replicas[1]!];

    // One replica: it sees the burst from the second click on; the first is corrected.
    const oneReplica = await sendEmail(3);
    for (const link of [0, 1, 2]) await click(oneReplica.clickUrl(a, link), '198.51.100.23');
    // Two replicas, alternating: neither sees two clicks of the email.
    const twoReplicas = await sendEmail(4);
    for (const [link, replica] of [[0, a], [1, b], [2, a], [3, b]] as const) await click(twoReplicas.clickUrl(replica, link), '198.51.100.24');
    // A person clicking one link: stays a person's.
    const person = await sendEmail(3);
    await click(person.clickUrl(b, 1), '192.0.2.77');

    const scanned = [oneReplica.sent.sentEmailId, twoReplicas.sent.sentEmailId];
    for (const [id, clicks] of [[scanned[0]!, 3], [scanned[1]!, 4]] as const) {
      const rows = await eventually(`${clicks} stored clicks, none human`, async () => {
        const r = await storedLabels(id);
        return r.length === clicks && r.every((row) => row.label !== 'human') ? r : undefined;
      }, { timeoutMs: 20_000 });
      assert.ok(rows.every((row) => row.label === 'security_scanner'), JSON.stringify(rows));
      assert.ok(rows.some((row) => row.corrected_from === 'human' && row.reasons.some((reason) => /link burst: \d links of the email within 2 s \(found after the click\)/.test(reason))));
    }
    // Each replica served its first click of the email as a person's (neither had seen the other's);
    // its second was inside the window of its first, a burst it saw itself.
    assert.deepEqual((await storedLabels(twoReplicas.sent.sentEmailId)).map((r) => r.corrected_from), ['human', 'human', null, null]);
    assert.deepEqual((await storedLabels(oneReplica.sent.sentEmailId)).map((r) => r.corrected_from), ['human', null, null]);
    assert.deepEqual((await storedLabels(person.sent.sentEmailId)).map((r) => [r.label, r.corrected_from]), [['human', null]]);

    for (const id of scanned) assert.deepEqual(await counters(id), { ...(await counters(id)), humanClicks: 0 });
    assert.equal((await counters(twoReplicas.sent.sentEmailId)).machineHits, 4);
    assert.equal((await counters(person.sent.sentEmailId)).humanClicks, 1);

    // The feed: what the stream leaves shown, the history without machines, and with them.
    const clicksOf = (items: Item[], id: string) => items.filter((i) => i.kind === 'clicked' && i.sentEmailId === id);
    await eventually('the stream shows every scanner click as a machine, the person as a person', () => {
      const items = shown(stream);
      return scanned.every((id, n) => clicksOf(items, id).length === [3, 4][n] && clicksOf(items, id).every((i) => i.machine)) && clicksOf(items, person.sent.sentEmailId).length === 1;
    }, { timeoutMs: 20_000 });
    const live = shown(stream);
    assert.equal(clicksOf(live, person.sent.sentEmailId)[0]!.machine, false);
    const corrected = clicksOf(live, twoReplicas.sent.sentEmailId);
    const burstReason = /^link burst: \d links of the email within 2 s/;
    assert.ok(corrected.every((i) => i.machineReasons[0] === 'security_scanner' && burstReason.test(i.machineReasons[1]!)), JSON.stringify(corrected));
    assert.equal(corrected.filter((i) => i.detail.correction?.previousLabel === 'human').length, 2, 'the two clicks served as human were corrected');
    assert.match(corrected[0]!.summary, /^A security scanner \(for Kevin Flynn\) clicked encom\.example\/page\/\d in “The Grid”$/);

    const people = await history('');
    for (const id of scanned) assert.deepEqual(clicksOf(people, id), [], 'no scanner click in the feed of people');
    assert.equal(clicksOf(people, person.sent.sentEmailId).length, 1);
    const all = await history('?includeMachine=true');
    for (const id of scanned) assert.ok(clicksOf(all, id).every((i) => i.machine));
    assert.equal(clicksOf(all, twoReplicas.sent.sentEmailId).length, 4, 'each click once: the corrected item replaced the human one');
  });

  it('a stream hiding machine activity still gets the correction, to take the human click away', async () => {
    const stream = await SseClient.open(new URL('/api/v1/feed/stream', system.app.url).toString(), { cookie: admin.cookies.header(new URL(system.app.url))! });
    streams.push(stream);
    const burst = await sendEmail(2);
    const [a, b] = [replicas[0]!, replicas[1]!];
    await click(burst.clickUrl(a, 0), '198.51.100.25');
    await click(burst.clickUrl(b, 1), '198.51.100.25');
    await eventually('both clicks corrected on the stream', () => shown(stream).filter((i) => i.sentEmailId === burst.sent.sentEmailId && i.detail.correction).length === 2, { timeoutMs: 20_000 });
    assert.deepEqual(shown(stream).filter((i) => i.sentEmailId === burst.sent.sentEmailId && i.kind === 'clicked' && !i.machine), []);
  });
});
