import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { AssignerProtocol, Kafka, logLevel, type Consumer, type PartitionAssigner } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { campaignStopTopic, deadLetterTopicName, type CampaignStop } from '@telltale/contracts';
import { createServiceDataSource, messagingTablesMigration, runServiceMigrations } from '@telltale/db';
import { createLogger } from '@telltale/telemetry';
import { createTestDatabase, eventually } from '@telltale/testing';
import { EventConsumer, OutboxRelay, type EventConsumerOptions, OutboxWriter, ensureTopics, headersToStrings, subscribe, subscribeBatch } from '../src';

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run with \`npm test\``);
  return v;
}

const SCHEMA = 'kafka_test';
const prefix = `kt-${randomBytes(4).toString('hex')}.`;
const topic = prefix + campaignStopTopic.name;
const dlq = deadLetterTopicName(topic, 'sequencer');
const logger = createLogger({ service: 'kafka-test', level: 'silent' });
let kafka: Kafka;
let dataSource: DataSource;
let databaseUrl: string;
let drop: () => Promise<void>;

const stop = (enrollmentId = randomUUID()): CampaignStop => ({
  stopId: randomUUID(),
  orgId: randomUUID(),
  enrollmentId,
  reason: 'replied',
  causeId: randomUUID(),
  sentEmailId: null,
  occurredAt: new Date().toISOString(),
});

/** A consumer of this file's database (as the sequencer), in its own group, on `prefix` unless told. */
function testConsumer(options: Pick<EventConsumerOptions, 'subscriptions'> & Partial<EventConsumerOptions>): EventConsumer {
  return new EventConsumer({ service: 'sequencer', kafka, dataSource, schema: SCHEMA, logger, topicPrefix: prefix, name: `c${randomBytes(3).toString('hex')}`, ...options });
}

async function readAll(topicName: string, into: { headers: Record<string, string>; value: string }[]): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
  await consumer.connect();
  await consumer.subscribe({ topics: [topicName], fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void into.push({ headers: headersToStrings(message.headers), value: message.value?.toString() ?? '' }) });
  await joined;
  return consumer;
}

before(async () => {
  const db = await createTestDatabase(env('DATABASE_URL'));
  databaseUrl = db.url;
  drop = db.drop;
  dataSource = createServiceDataSource({ url: databaseUrl, schema: SCHEMA, entities: [], migrations: [messagingTablesMigration(SCHEMA)], applicationName: 'kafka-test' });
  await runServiceMigrations(dataSource, SCHEMA);
  kafka = new Kafka({ clientId: 'kafka-test', brokers: env('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING });
  await ensureTopics(kafka, [topic, dlq]);
});

after(async () => {
  await dataSource?.destroy();
  await drop?.();
});

test('the outbox publishes committed events in order, and never rolled-back ones', async () => {
  const writer = new OutboxWriter(SCHEMA, prefix);
  const relay = new OutboxRelay({ dataSource, databaseUrl, schema: SCHEMA, kafka, logger, pollIntervalMs: 60_000 });
  const received: { headers: Record<string, string>; value: string }[] = [];
  const reader = await readAll(topic, received);
  await relay.start();
  try {
    const enrollmentId = randomUUID();
    const events = Array.from({ length: 20 }, () => stop(enrollmentId));
    for (const e of events) await dataSource.transaction((m) => writer.enqueue(m, campaignStopTopic, e, { orgId: e.orgId }));
    await dataSource
      .transaction(async (m) => {
        await writer.enqueue(m, campaignStopTopic, stop(enrollmentId), { orgId: randomUUID() });
        throw new Error('roll back');
      })
      .catch(() => undefined);
    // Woken by LISTEN/NOTIFY, not by the (one-minute) poll.
    await eventually('20 events on Kafka', () => (received.length >= 20 ? true : undefined), { timeoutMs: 20_000 });
    assert.equal(received.length, 20);
    assert.deepEqual(
      received.map((r) => (JSON.parse(r.value) as CampaignStop).stopId),
      events.map((e) => e.stopId),
      'one key, one partition: commit order is kept',
    );
    for (const r of received) {
      assert.match(r.headers['event-id'] ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(r.headers['event-type'], 'campaign.stop');
    }
    // The relay marks rows published after Kafka took them: a reader can see them first.
    await eventually('the outbox drained', async () => ((await relay.backlog()) === 0 ? true : undefined));
  } finally {
    await relay.stop();
    await reader.disconnect();
  }
});

test('invalid events are refused on produce', async () => {
  const writer = new OutboxWriter(SCHEMA, prefix);
  await assert.rejects(
    dataSource.transaction((m) => writer.enqueue(m, campaignStopTopic, { ...stop(), reason: 'bored' } as unknown as CampaignStop, { orgId: randomUUID() })),
    /invalid campaign.stop.v1 event: reason/,
  );
  await assert.rejects(writer.enqueue(dataSource.manager, campaignStopTopic, stop(), { orgId: randomUUID() }), /inside a transaction/);
});

test('the consumer is idempotent, dead-letters invalid messages at once and failing ones after bounded retries', async () => {
  const handled: string[] = [];
  let failFor: string | null = null;
  const consumer = testConsumer({
    topicPrefix: prefix,
    maxAttempts: 3,
    retryBaseMs: 10,
    name: `t${randomBytes(3).toString('hex')}`,
    subscriptions: [
      subscribe(campaignStopTopic, async (event, m) => {
        if (event.payload.enrollmentId === failFor) throw new Error('handler exploded');
        await m.query('SELECT 1');
        handled.push(event.eventId);
      }),
    ],
  });
  const dead: { headers: Record<string, string>; value: string }[] = [];
  const dlqReader = await readAll(dlq, dead);
  const producer = kafka.producer();
  await producer.connect();
  await consumer.start();
  await consumer.ready;
  try {
    const good = stop();
    const headers = { 'event-id': randomUUID(), 'event-type': 'campaign.stop', 'occurred-at': new Date().toISOString(), 'org-id': good.orgId };
    // The same event three times: handled once.
    for (let i = 0; i < 3; i++) await producer.send({ topic, messages: [{ key: good.enrollmentId, value: JSON.stringify(good), headers }] });
    // Not JSON, and JSON that breaks the schema: straight to the DLQ with the reason.
    await producer.send({ topic, messages: [{ key: 'x', value: '{not json', headers: { ...headers, 'event-id': randomUUID() } }] });
    await producer.send({ topic, messages: [{ key: 'y', value: JSON.stringify({ ...good, reason: 'bored' }), headers: { ...headers, 'event-id': randomUUID() } }] });
    // Missing headers.
    await producer.send({ topic, messages: [{ key: 'z', value: JSON.stringify(good) }] });
    // A handler that keeps failing: retried, then dead-lettered; the consumer keeps going.
    const poison = stop();
    failFor = poison.enrollmentId;
    await producer.send({ topic, messages: [{ key: poison.enrollmentId, value: JSON.stringify(poison), headers: { ...headers, 'event-id': randomUUID() } }] });
    const after = stop();
    const afterId = randomUUID();
    await producer.send({ topic, messages: [{ key: after.enrollmentId, value: JSON.stringify(after), headers: { ...headers, 'event-id': afterId } }] });

    await eventually('4 dead letters', () => (dead.length >= 4 ? true : undefined));
    await eventually('the event after the poison message', () => (handled.includes(afterId) ? true : undefined));
    assert.deepEqual(handled.filter((id) => id === headers['event-id']), [headers['event-id']], 'a redelivered event is handled once');
    const reasons = dead.map((d) => d.headers['dlq-reason']).sort();
    assert.deepEqual(reasons, ['handler-failed', 'invalid', 'invalid', 'invalid']);
    const failed = dead.find((d) => d.headers['dlq-reason'] === 'handler-failed')!;
    assert.equal(failed.headers['dlq-error'], 'handler exploded');
    assert.equal(failed.headers['dlq-original-topic'], topic);
    assert.equal(JSON.parse(failed.value).enrollmentId, poison.enrollmentId, 'the original message travels with the error');
    const invalidPayload = dead.find((d) => (d.headers['dlq-error'] ?? '').includes('reason'));
    assert.ok(invalidPayload, 'the schema error names the failing field');
  } finally {
    await consumer.stop();
    await producer.disconnect();
    await dlqReader.disconnect();
  }
});

test('a batch consumer hands valid events over in order, dead-letters invalid ones in place, and isolates a failing event', async () => {
  const batchTopic = `${prefix}batch.${campaignStopTopic.name}`;
  const batchPrefix = `${prefix}batch.`;
  const batchDlq = deadLetterTopicName(batchTopic, 'tracker');
  await ensureTopics(kafka, [batchTopic, batchDlq], { partitions: 1 });
  await dataSource.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.batch_seen (event_id uuid PRIMARY KEY, enrollment_id uuid NOT NULL)`);
  const poison = stop();
  const chunks: string[][] = [];
  const consumer = testConsumer({
    service: 'tracker',
    topicPrefix: batchPrefix,
    maxAttempts: 2,
    retryBaseMs: 10,
    name: `b${randomBytes(3).toString('hex')}`,
    subscriptions: [
      subscribeBatch(campaignStopTopic, async (events, m) => {
        if (events.some((e) => e.payload.enrollmentId === poison.enrollmentId)) throw new Error('batch exploded');
        // Idempotent by itself, as batch handlers must be.
        await m.query(`INSERT INTO ${SCHEMA}.batch_seen (event_id, enrollment_id) SELECT * FROM unnest($1::uuid[], $2::uuid[]) ON CONFLICT DO NOTHING`, [
          events.map((e) => e.eventId),
          events.map((e) => e.payload.enrollmentId),
        ]);
        chunks.push(events.map((e) => e.eventId));
      }),
    ],
  });
  const dead: { headers: Record<string, string>; value: string }[] = [];
  const dlqReader = await readAll(batchDlq, dead);
  const producer = kafka.producer();
  await producer.connect();
  try {
    // Everything is on the topic before the consumer starts, so it arrives as one fetched batch.
    const message = (payload: CampaignStop | string, eventId = randomUUID()) => ({
      key: 'k',
      value: typeof payload === 'string' ? payload : JSON.stringify(payload),
      headers: { 'event-id': eventId, 'event-type': 'campaign.stop', 'occurred-at': new Date().toISOString(), 'org-id': randomUUID() },
    });
    const valid = Array.from({ length: 6 }, () => ({ payload: stop(), eventId: randomUUID() }));
    await producer.send({
      topic: batchTopic,
      messages: [
        message(valid[0]!.payload, valid[0]!.eventId),
        message(valid[1]!.payload, valid[1]!.eventId),
        message(valid[1]!.payload, valid[1]!.eventId), // redelivered: stored once
        message('{not json'),
        message(valid[2]!.payload, valid[2]!.eventId),
        message(poison),
        message(valid[3]!.payload, valid[3]!.eventId),
        message(valid[4]!.payload, valid[4]!.eventId),
        message(valid[5]!.payload, valid[5]!.eventId),
      ],
    });
    await consumer.start();
    await eventually('two dead letters', () => (dead.length >= 2 ? true : undefined));
    const stored = await eventually('every valid event stored', async () => {
      const rows = (await dataSource.query(`SELECT event_id FROM ${SCHEMA}.batch_seen`)) as { event_id: string }[];
      return rows.length >= valid.length ? rows : undefined;
    });
    assert.deepEqual(new Set(stored.map((r) => r.event_id)), new Set(valid.map((v) => v.eventId)), 'each valid event stored once, the poison one never');
    assert.deepEqual(dead.map((d) => d.headers['dlq-reason']), ['invalid', 'handler-failed'], 'dead-lettered in their place in the partition');
    assert.equal(JSON.parse(dead[1]!.value).enrollmentId, poison.enrollmentId);
    assert.ok(chunks.some((c) => c.length > 1), 'events were handed over in batches');
    const order = chunks.flat().filter((id, i, all) => all.indexOf(id) === i);
    assert.deepEqual(order, valid.map((v) => v.eventId), 'partition order kept');
  } finally {
    await consumer.stop();
    await producer.disconnect();
    await dlqReader.disconnect();
  }
});

test('a batch consumer stopped in the middle of a batch leaves the rest of it to the next consumer of its group', async () => {
  const ownPrefix = `kb-${randomBytes(4).toString('hex')}.`;
  const ownTopic = ownPrefix + campaignStopTopic.name;
  await ensureTopics(kafka, [ownTopic]);
  const producer = kafka.producer();
  await producer.connect();
  // More than one chunk (500) on one partition, sent before the consumer starts: one fetched batch.
  const enrollmentId = randomUUID();
  const ids = Array.from({ length: 501 }, () => randomUUID());
  await producer.send({
    topic: ownTopic,
    messages: ids.map((eventId) => {
      const event = stop(enrollmentId);
      return { key: enrollmentId, value: JSON.stringify(event), headers: { 'event-id': eventId, 'event-type': 'campaign.stop', 'occurred-at': new Date().toISOString(), 'org-id': event.orgId } };
    }),
  });
  await producer.disconnect();
  const handled = new Set<string>();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let entered!: () => void;
  const inFirstChunk = new Promise<void>((resolve) => (entered = resolve));
  let first = true;
  const name = `b${randomBytes(3).toString('hex')}`;
  const consumerOf = () =>
    testConsumer({
      topicPrefix: ownPrefix,
      name,
      subscriptions: [
        subscribeBatch(campaignStopTopic, async (events) => {
          if (first) {
            first = false;
            entered();
            await gate;
          }
          for (const e of events) handled.add(e.eventId);
        }),
      ],
    });
  const firstConsumer = consumerOf();
  await firstConsumer.start();
  await inFirstChunk;
  const stopped = firstConsumer.stop();
  release();
  await stopped;
  const left = ids.filter((id) => !handled.has(id));
  assert.ok(left.length > 0 && left.length < ids.length, `the stop came mid-batch (${left.length} of ${ids.length} left)`);

  const next = consumerOf();
  await next.start();
  try {
    await eventually('the rest of the batch, handled by the next consumer', () => (left.every((id) => handled.has(id)) ? true : undefined));
  } finally {
    await next.stop();
  }
});

test('a consumer stopped while it is still joining its group leaves the group once the join completes', async () => {
  const ownPrefix = `kj-${randomBytes(4).toString('hex')}.`;
  const ownTopic = ownPrefix + campaignStopTopic.name;
  await ensureTopics(kafka, [ownTopic]);
  const consumer = testConsumer({
    topicPrefix: ownPrefix,
    name: `s${randomBytes(3).toString('hex')}`,
    subscriptions: [subscribe(campaignStopTopic, async () => undefined)],
  });
  // A member busy with a message (not heartbeating) keeps a newcomer's join waiting for the rebalance.
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let busy!: () => void;
  const isBusy = new Promise<void>((resolve) => (busy = resolve));
  const member = kafka.consumer({ groupId: consumer.groupId, maxWaitTimeInMs: 100 });
  const memberJoined = new Promise<void>((resolve) => member.on(member.events.GROUP_JOIN, () => resolve()));
  await member.connect();
  await member.subscribe({ topics: [ownTopic], fromBeginning: true });
  await member.run({
    eachMessage: async () => {
      busy();
      await gate;
    },
  });
  await memberJoined;
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: ownTopic, messages: [{ key: 'k', value: '{}' }] });
  await producer.disconnect();
  await isBusy;
  const admin = kafka.admin();
  await admin.connect();
  const group = async () => (await admin.describeGroups([consumer.groupId])).groups[0]!;
  try {
    const started = consumer.start().catch(() => undefined);
    await eventually('the newcomer joining (a rebalance under way)', async () => ((await group()).state === 'PreparingRebalance' ? true : undefined));
    await consumer.stop();
    release();
    await started;
    // Before, the stopped client finished its join and stayed in the group, fetching and
    // heartbeating, with partitions nobody handled.
    await eventually('the group back to its one member', async () => {
      const g = await group();
      return g.state === 'Stable' && g.members.length === 1 ? g : undefined;
    });
  } finally {
    release();
    await member.disconnect();
    await admin.disconnect();
  }
});

/**
 * A member whose only assignment protocol no other member speaks: while it holds a group, every
 * other join is refused (INCONSISTENT_GROUP_PROTOCOL, which kafkajs treats as fatal and reports as a
 * crash, as it does "no group coordinator" for a while after a broker restart).
 */
const foreignProtocol: PartitionAssigner = () => ({
  name: 'ForeignProtocol',
  version: 1,
  async assign({ members }) {
    return members.map((m) => ({ memberId: m.memberId, memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: {}, userData: Buffer.alloc(0) }) }));
  },
  protocol({ topics }) {
    return { name: 'ForeignProtocol', metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }) };
  },
});

test('a consumer whose joins keep failing keeps trying, and consumes once it can join', async () => {
  const refusals: string[] = [];
  const capture = { write: (line: string) => void ((JSON.parse(line) as { err?: string }).err?.includes('incompatible') && refusals.push(line)) };
  const handled: string[] = [];
  const consumer = testConsumer({
    logger: createLogger({ service: 'kafka-test', level: 'warn', destination: capture }),
    subscriptions: [subscribe(campaignStopTopic, async (event) => void handled.push(event.eventId))],
  });
  const holder = kafka.consumer({ groupId: consumer.groupId, partitionAssigners: [foreignProtocol], maxWaitTimeInMs: 100 });
  const held = new Promise<void>((r) => holder.on(holder.events.GROUP_JOIN, () => r()));
  await holder.connect();
  await holder.subscribe({ topics: [topic] });
  await holder.run({ eachMessage: async () => undefined });
  await held;
  const producer = kafka.producer();
  await producer.connect();
  const started = consumer.start();
  try {
    // Two refused joins in a row: the second is a retry of the first (before the fix, the retry's
    // crash went unnoticed and the consumer stayed down for good).
    await eventually('two refused joins', () => (refusals.length >= 2 ? true : undefined));
    await holder.disconnect();
    await started;
    const event = stop();
    const eventId = randomUUID();
    await producer.send({
      topic,
      messages: [{ key: event.enrollmentId, value: JSON.stringify(event), headers: { 'event-id': eventId, 'event-type': 'campaign.stop', 'occurred-at': new Date().toISOString(), 'org-id': event.orgId } }],
    });
    await eventually('the event handled by the consumer that joined late', () => (handled.includes(eventId) ? true : undefined));
  } finally {
    await holder.disconnect();
    await started.catch(() => undefined);
    await consumer.stop();
    await producer.disconnect();
  }
});

test('one consumer takes either per-event or batch subscriptions', () => {
  assert.throws(
    () =>
      new EventConsumer({
        service: 'tracker',
        kafka,
        dataSource,
        schema: SCHEMA,
        logger,
        subscriptions: [subscribe(campaignStopTopic, async () => undefined), subscribeBatch(campaignStopTopic, async () => undefined)],
      }),
    /either per-event or batch/,
  );
});
