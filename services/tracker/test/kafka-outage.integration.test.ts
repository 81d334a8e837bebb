import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { trackingEngagementTopic, type TrackingEngagement } from '@telltale/contracts';
import { EventConsumer, createKafka, subscribe } from '@telltale/kafka';
import type { StartedService } from '@telltale/runtime';
import { createLogger } from '@telltale/telemetry';
import { createTestDatabase, eventually } from '@telltale/testing';
import { findFreePort } from '@telltale/testing/dist/src/infrastructure/free-port';
import type { KafkaEndpoint, StartedComponent } from '@telltale/testing/dist/src/infrastructure/infrastructure.types';
import { startLocalKafka } from '@telltale/testing/dist/src/infrastructure/kafka.local';
import { ensureMavenComponent } from '@telltale/testing/dist/src/infrastructure/maven-component';
import { findRepoRoot, repoPaths } from '@telltale/testing/dist/src/infrastructure/repo-paths';
import { buildOpenUrl, generateSigningKeySpec, parseSigningKeys, signTrackingToken } from '@telltale/tracking';
import { TrackerConfig, startTracker } from '../src';

// This file runs its own Kafka broker, so it can stop and restart it while hits arrive.

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run with \`npm test\``);
  return v;
}

const keySpec = generateSigningKeySpec('t1');
const keys = parseSigningKeys(keySpec);
const prefix = `outage-${randomBytes(4).toString('hex')}.`;
const log = createLogger({ service: 'outage-test', level: (process.env.OUTAGE_LOG as 'warn') ?? 'silent' });
const orgId = randomUUID();
const emails = [randomUUID(), randomUUID(), randomUUID()];
let kafkaDir: string;
let spillDir: string;
let ports: { broker: number; controller: number };
let libsDir: string;
let kafka: StartedComponent<KafkaEndpoint> | null = null;
let db: { url: string; drop(): Promise<void> };
let tracker: StartedService | null = null;
let consumer: EventConsumer | null = null;
const delivered: TrackingEngagement[] = [];

async function startKafka(): Promise<void> {
  kafka = await startLocalKafka({ dataDir: kafkaDir, libsDir, brokerPort: ports.broker, controllerPort: ports.controller, checkPortsFree: false, log: () => undefined });
}

async function stopKafka(): Promise<void> {
  await kafka?.stop();
  kafka = null;
}

async function startTrackerInstance(): Promise<StartedService> {
  return startTracker(
    TrackerConfig.parse({
      DATABASE_URL: db.url,
      KAFKA_BROKERS: `127.0.0.1:${ports.broker}`,
      KAFKA_TOPIC_PREFIX: prefix,
      PORT: '0',
      HOST: '127.0.0.1',
      TRACKING_SIGNING_KEYS: keySpec,
      LOG_LEVEL: 'silent',
      TRACKER_SPILL_DIR: spillDir,
    }),
    { logger: log },
  );
}

/** A downstream consumer (idempotent by event id, as every Telltale consumer is). */
async function startConsumer(service: StartedService): Promise<void> {
  consumer = new EventConsumer({
    service: 'crm-writer',
    name: 'outage-test',
    kafka: createKafka({ brokers: [`127.0.0.1:${ports.broker}`], clientId: 'outage-test', logger: log }),
    dataSource: service.runtime.dataSource,
    schema: 'tracker',
    topicPrefix: prefix,
    logger: log,
    subscriptions: [subscribe(trackingEngagementTopic, async (event) => void delivered.push(event.payload))],
  });
  await consumer.start();
  await consumer.ready;
}

async function stopConsumer(): Promise<void> {
  await consumer?.stop();
  consumer = null;
}

async function sendOpens(service: StartedService, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const token = signTrackingToken({ kind: 'open', orgId, sentEmailId: emails[i % emails.length]!, issuedAt: new Date(Date.now() - 3_600_000) }, keys);
    const started = Date.now();
    const res = await fetch(buildOpenUrl(service.url, token));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/gif');
    await res.arrayBuffer();
    assert.ok(Date.now() - started < 1_000, 'the pixel answers at once while Kafka is down');
  }
}

async function waitFor(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 90_000): Promise<void> {
  await eventually(what, condition, { timeoutMs, intervalMs: 100 });
}

/** Hits waiting in the tracker's durable spill (complete segment files only). */
const spilledHits = (): number =>
  readdirSync(spillDir)
    .filter((name) => /^seg-\d+\.jsonl$/.test(name))
    .reduce((n, name) => n + readFileSync(join(spillDir, name), 'utf8').split('\n').filter(Boolean).length, 0);

const storedCount = async (service: StartedService): Promise<number> =>
  ((await service.runtime.dataSource.query(`SELECT count(*)::int AS n FROM tracker.engagement WHERE org_id = $1`, [orgId])) as { n: number }[])[0]!.n;

/** What the store's consumer group looks like, for a failure message: stored rows, members, committed vs end offsets. */
async function storeDiagnostics(service: StartedService): Promise<string> {
  const admin = createKafka({ brokers: [`127.0.0.1:${ports.broker}`], clientId: 'outage-test-diagnostics', logger: log }).admin();
  try {
    await admin.connect();
    const groupId = `${prefix}telltale.tracker.engagement-store`;
    const topic = prefix + trackingEngagementTopic.name;
    const [group] = (await admin.describeGroups([groupId])).groups;
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    return JSON.stringify({
      stored: await storedCount(service),
      group: { state: group?.state, members: group?.members.map((m) => m.clientId) },
      committed: committed.flatMap((t) => t.partitions.map((p) => `${p.partition}:${p.offset}`)),
      ends: ends.map((p) => `${p.partition}:${p.high}`),
    });
  } catch (err) {
    return `no diagnostics (${(err as Error).message})`;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

before(async () => {
  db = await createTestDatabase(env('DATABASE_URL'));
  kafkaDir = mkdtempSync(join(tmpdir(), 'tracker-outage-kafka-'));
  spillDir = mkdtempSync(join(tmpdir(), 'tracker-outage-spill-'));
  ports = { broker: await findFreePort(), controller: await findFreePort() };
  const repo = repoPaths(findRepoRoot(__dirname));
  libsDir = await ensureMavenComponent({ name: 'kafka', pom: repo.kafkaPom, targetDir: join(repo.toolsDir, 'kafka') }, () => undefined);
  await startKafka();
});

after(async () => {
  await stopConsumer().catch(() => undefined);
  await tracker?.stop().catch(() => undefined);
  await stopKafka().catch(() => undefined);
  await db?.drop();
  rmSync(kafkaDir, { recursive: true, force: true });
  rmSync(spillDir, { recursive: true, force: true });
});

test('Kafka stopped while hits arrive, then restarted: every hit delivered exactly once, in order per email', { timeout: 600_000 }, async () => {
  tracker = await startTrackerInstance();
  await startConsumer(tracker);
  await sendOpens(tracker, 6);
  await waitFor(() => delivered.length === 6, 'the first hits downstream');
  await stopConsumer();

  // Outage 1: the tracker keeps running and answering; its spill on disk holds the hits.
  await stopKafka();
  await sendOpens(tracker, 30);
  await waitFor(() => spilledHits() === 30, 'hits spilled to disk during the outage', 60_000);
  await startKafka();
  await startConsumer(tracker);
  await waitFor(() => delivered.length >= 36, 'backlog delivered after Kafka returned');
  await waitFor(() => spilledHits() === 0, 'the spill replayed and emptied');

  // Outage 2: the tracker is restarted while Kafka is down: the spill survives the restart, and
  // the restarted tracker starts and answers without Kafka, spilling behind the older hits.
  await stopConsumer();
  await stopKafka();
  await sendOpens(tracker, 10);
  await tracker.stop();
  tracker = null;
  assert.equal(spilledHits(), 10, 'every hit accepted before the stop is on disk');
  tracker = await startTrackerInstance();
  assert.equal((await fetch(`${tracker.url}/health/ready`)).status, 200, 'ready to take traffic without Kafka');
  await sendOpens(tracker, 5);
  await waitFor(() => spilledHits() === 15, 'hits taken by the tracker started during the outage spilled behind the older ones', 60_000);
  await startKafka();
  await startConsumer(tracker);
  await waitFor(() => delivered.length >= 51, 'backlog delivered by the restarted tracker');
  const restarted = tracker;
  // The store's consumer joins in the background once Kafka is back; its first joins may be refused
  // while the restarted broker loads the group coordinator, and it must keep trying.
  await waitFor(async () => (await storedCount(restarted)) === 51, 'the engagement store has every hit', 120_000).catch(async (err: Error) => {
    throw new Error(`${err.message}: ${await storeDiagnostics(restarted)}`);
  });
  await delay(1_000);

  const ids = delivered.map((e) => e.engagementId);
  assert.equal(ids.length, 51, 'no duplicates downstream');
  assert.equal(new Set(ids).size, 51);
  const stored = (await tracker.runtime.dataSource.query(`SELECT id FROM tracker.engagement WHERE org_id = $1`, [orgId])) as { id: string }[];
  assert.deepEqual(new Set(stored.map((r) => r.id)), new Set(ids), 'every stored hit delivered');
  for (const email of emails) {
    const times = delivered.filter((e) => e.sentEmailId === email).map((e) => e.occurredAt);
    assert.deepEqual(times, [...times].sort(), `events of one email arrive in order (${email})`);
  }
});
