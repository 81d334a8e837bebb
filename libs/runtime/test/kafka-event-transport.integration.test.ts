import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { Controller, Module, type DynamicModule } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { campaignStopTopic, deadLetterTopicName, emailSendFailedTopic, trackingEngagementTopic, type CampaignStop, type EmailSendFailed } from '@telltale/contracts';
import { ensureTopics, headersToStrings, type ConsumedEvent } from '@telltale/kafka';
import { createLogger } from '@telltale/telemetry';
import { createTestDatabase, eventually } from '@telltale/testing';
import { EventContext, RuntimeModule, ServiceRuntime, startService, type StartedService } from '../src';

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run with \`npm test\``);
  return v;
}

const SCHEMA = 'event_transport';
const logger = createLogger({ service: 'event-transport-test', level: 'silent' });
let databaseUrl: string;
let drop: () => Promise<void>;
let kafka: Kafka;
let producer: Producer;

const stop = (enrollmentId = randomUUID(), reason: CampaignStop['reason'] = 'replied'): CampaignStop => ({
  stopId: randomUUID(),
  orgId: randomUUID(),
  enrollmentId,
  reason,
  causeId: randomUUID(),
  sentEmailId: null,
  occurredAt: new Date().toISOString(),
});

const sendFailed = (enrollmentId = randomUUID()): EmailSendFailed => ({
  sendRequestId: randomUUID(),
  orgId: randomUUID(),
  mailboxId: randomUUID(),
  enrollmentId,
  stepNumber: 1,
  code: 'TEMPORARY',
  reason: 'try later',
  failedAt: new Date().toISOString(),
});

/** Produces one event as the outbox relay would (headers included), under `key`. */
async function produce(topic: string, eventType: string, payload: unknown, key: string, eventId = randomUUID()): Promise<string> {
  const headers = { 'event-id': eventId, 'event-type': eventType, 'occurred-at': new Date().toISOString(), 'org-id': randomUUID() };
  await producer.send({ topic, messages: [{ key, value: typeof payload === 'string' ? payload : JSON.stringify(payload), headers }] });
  return eventId;
}

async function readAll(topic: string, into: { headers: Record<string, string>; value: string }[]): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void into.push({ headers: headersToStrings(message.headers), value: message.value?.toString() ?? '' }) });
  await joined;
  return consumer;
}

@Module({})
class EventTransportTestModule {}

/** The sequencer's runtime on this file's database, its topics and groups under `prefix`. */
const sequencerRuntime = (prefix: string): ServiceRuntime =>
  new ServiceRuntime({
    service: 'sequencer',
    schema: SCHEMA,
    databaseUrl,
    kafkaBrokers: env('KAFKA_BROKERS').split(','),
    entities: [],
    migrations: [],
    producedTopics: [],
    runMigrations: true,
    logger,
    topicPrefix: prefix,
  });

/** The sequencer serving `controllers`, started as every service is. */
async function startWith(prefix: string, controllers: DynamicModule['controllers']): Promise<StartedService> {
  const runtime = sequencerRuntime(prefix);
  return startService({
    runtime,
    module: { module: EventTransportTestModule, imports: [RuntimeModule.forRuntime(runtime)], controllers },
    port: 0,
    host: '127.0.0.1',
    metricsPort: 0,
  });
}

before(async () => {
  const db = await createTestDatabase(env('DATABASE_URL'));
  databaseUrl = db.url;
  drop = db.drop;
  kafka = new Kafka({ clientId: 'event-transport-test', brokers: env('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING });
  producer = kafka.producer();
  await producer.connect();
});

after(async () => {
  await producer?.disconnect();
  await drop?.();
});

/** What the handlers below saw, by event id: attempts, and the manager they were given. */
const attempts = new Map<string, number>();
const received: ConsumedEvent<unknown>[] = [];

@Controller()
class StopsAndFailuresConsumer {
  @EventPattern(campaignStopTopic.name)
  async onStop(@Payload() event: ConsumedEvent<CampaignStop>, @Ctx() context: EventContext): Promise<void> {
    attempts.set(event.eventId, (attempts.get(event.eventId) ?? 0) + 1);
    // Written with the handler's manager: rolled back with the processed-event record when it throws.
    await context.manager.query(`INSERT INTO ${SCHEMA}.effect (event_id) VALUES ($1)`, [event.eventId]);
    if (event.payload.reason === 'bounced') throw new Error('handler exploded');
    received.push(event);
  }

  @EventPattern(emailSendFailedTopic.name, { consumer: 'failures' })
  async onSendFailed(@Payload() event: ConsumedEvent<EmailSendFailed>, @Ctx() context: EventContext): Promise<void> {
    await context.manager.query(`INSERT INTO ${SCHEMA}.effect (event_id) VALUES ($1)`, [event.eventId]);
    received.push(event);
  }
}

test('the transport routes each topic to its @EventPattern handler, with the validated event and the transaction; a handler that throws is retried, then dead-lettered with its error', async () => {
  const prefix = `et-${randomBytes(4).toString('hex')}.`;
  const stops = prefix + campaignStopTopic.name;
  const failures = prefix + emailSendFailedTopic.name;
  const dlq = deadLetterTopicName(stops, 'sequencer');
  await ensureTopics(kafka, [stops, failures, dlq]);
  const dead: { headers: Record<string, string>; value: string }[] = [];
  const dlqReader = await readAll(dlq, dead);
  const service = await startWith(prefix, [StopsAndFailuresConsumer]);
  const effects = async (ids: string[]): Promise<string[]> =>
    ((await service.runtime.dataSource.query(`SELECT event_id FROM ${SCHEMA}.effect WHERE event_id = ANY($1::uuid[])`, [ids])) as { event_id: string }[]).map((r) => r.event_id);
  try {
    await service.runtime.dataSource.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.effect (event_id uuid PRIMARY KEY)`);
    const enrollmentId = randomUUID();
    const good = stop(enrollmentId);
    const goodId = await produce(stops, 'campaign.stop', good, enrollmentId);
    const failedId = await produce(failures, 'email.send-failed', sendFailed(), 'k');
    const poisonId = await produce(stops, 'campaign.stop', stop(enrollmentId, 'bounced'), enrollmentId);
    const invalidId = await produce(stops, 'campaign.stop', { ...good, reason: 'bored' }, enrollmentId);
    const afterId = await produce(stops, 'campaign.stop', stop(enrollmentId), enrollmentId);

    await eventually('the event after the poison one handled', () => (received.some((e) => e.eventId === afterId) ? true : undefined), { timeoutMs: 30_000 });
    const handled = received.find((e) => e.eventId === goodId)!;
    assert.deepEqual(
      { topic: handled.topic, key: handled.key, eventType: handled.eventType, payload: handled.payload },
      { topic: stops, key: enrollmentId, eventType: 'campaign.stop', payload: good },
      'the handler of campaign.stop.v1 got the validated event',
    );
    assert.ok(received.some((e) => e.eventId === failedId && e.topic === failures), 'email.send-failed.v1 went to its own handler');
    assert.equal(attempts.get(poisonId), 5, 'the throwing handler was tried 5 times');
    assert.equal(attempts.get(invalidId), undefined, 'an invalid event never reaches the handler');
    assert.deepEqual((await effects([goodId, failedId, poisonId, afterId])).sort(), [goodId, failedId, afterId].sort(), "the failed attempts' writes were rolled back");

    await eventually('two dead letters', () => (dead.length >= 2 ? true : undefined));
    const failed = dead.find((d) => d.headers['dlq-reason'] === 'handler-failed')!;
    assert.equal(failed.headers['event-id'], poisonId);
    assert.equal(failed.headers['dlq-error'], 'handler exploded', "the handler's own error, not Nest's 'Internal server error'");
    assert.equal(failed.headers['dlq-consumer'], `${prefix}telltale.sequencer`);
    const invalid = dead.find((d) => d.headers['dlq-reason'] === 'invalid')!;
    assert.equal(invalid.headers['event-id'], invalidId);
    assert.match(invalid.headers['dlq-error'] ?? '', /reason/);
    const processed = (await service.runtime.dataSource.query(`SELECT consumer, event_id FROM ${SCHEMA}.processed_event WHERE event_id = ANY($1::uuid[])`, [
      [goodId, failedId, poisonId],
    ])) as { consumer: string; event_id: string }[];
    assert.deepEqual(
      processed.map((p) => `${p.consumer} ${p.event_id}`).sort(),
      [`sequencer ${goodId}`, `sequencer.failures ${failedId}`].sort(),
      'processed under each consumer\'s dedupe key; the dead-lettered event not at all',
    );
  } finally {
    await service.stop();
    await dlqReader.disconnect();
  }
});

const seenAfterUpgrade: string[] = [];

@Controller()
class UpgradedConsumer {
  @EventPattern(campaignStopTopic.name)
  async onStop(@Payload() event: ConsumedEvent<CampaignStop>): Promise<void> {
    seenAfterUpgrade.push(event.eventId);
  }

  @EventPattern(emailSendFailedTopic.name, { consumer: 'failures' })
  async onSendFailed(@Payload() event: ConsumedEvent<EmailSendFailed>): Promise<void> {
    seenAfterUpgrade.push(event.eventId);
  }
}

test('consumers keep the group ids and dedupe keys of runtime.addConsumer: an upgraded service resumes where the deployed one left off', async () => {
  const prefix = `eu-${randomBytes(4).toString('hex')}.`;
  const stops = prefix + campaignStopTopic.name;
  const failures = prefix + emailSendFailedTopic.name;
  await ensureTopics(kafka, [stops, failures]);
  // What the deployed service's groups (runtime.addConsumer(subs) and addConsumer(subs, 'failures'))
  // had done: committed past the first events, and handled the second ones without committing.
  const groups = { [stops]: `${prefix}telltale.sequencer`, [failures]: `${prefix}telltale.sequencer.failures` };
  const dedupeKeys = { [stops]: 'sequencer', [failures]: 'sequencer.failures' };
  const enrollmentId = randomUUID();
  const consumedBefore = [await produce(stops, 'campaign.stop', stop(enrollmentId), enrollmentId), await produce(failures, 'email.send-failed', sendFailed(enrollmentId), enrollmentId)];
  const admin = kafka.admin();
  await admin.connect();
  const runtimeForSetup = sequencerRuntime(prefix);
  let service: StartedService | null = null;
  try {
    for (const topic of [stops, failures]) {
      const ends = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({ groupId: groups[topic]!, topic, partitions: ends.map((e) => ({ partition: e.partition, offset: e.high })) });
    }
    await runtimeForSetup.dataSource.initialize();
    await runtimeForSetup.migrate();
    const handledUncommitted = [randomUUID(), randomUUID()];
    await runtimeForSetup.dataSource.query(`INSERT INTO ${SCHEMA}.processed_event (consumer, event_id, topic) VALUES ($1, $2, $3), ($4, $5, $6)`, [
      dedupeKeys[stops],
      handledUncommitted[0],
      stops,
      dedupeKeys[failures],
      handledUncommitted[1],
      failures,
    ]);
    await produce(stops, 'campaign.stop', stop(enrollmentId), enrollmentId, handledUncommitted[0]);
    await produce(failures, 'email.send-failed', sendFailed(enrollmentId), enrollmentId, handledUncommitted[1]);
    const fresh = [await produce(stops, 'campaign.stop', stop(enrollmentId), enrollmentId), await produce(failures, 'email.send-failed', sendFailed(enrollmentId), enrollmentId)];

    service = await startWith(prefix, [UpgradedConsumer]);
    // Same key, same partition: the handled-but-uncommitted event came before the fresh one.
    await eventually('the fresh events handled', () => (fresh.every((id) => seenAfterUpgrade.includes(id)) ? true : undefined), { timeoutMs: 30_000 });
    assert.deepEqual([...seenAfterUpgrade].sort(), [...fresh].sort(), 'nothing before the committed offsets, nothing already processed');
    assert.ok(consumedBefore.every((id) => !seenAfterUpgrade.includes(id)));
    const described = await admin.describeGroups(Object.values(groups));
    assert.deepEqual(
      described.groups.map((g) => [g.groupId, g.state, g.members.length]).sort(),
      Object.values(groups)
        .map((g) => [g, 'Stable', 1])
        .sort(),
      'the same two groups, each with the upgraded service as its member',
    );
  } finally {
    await service?.stop();
    await admin.disconnect();
    if (runtimeForSetup.dataSource.isInitialized) await runtimeForSetup.dataSource.destroy();
  }
});

const batches: string[][] = [];

@Controller()
class BatchConsumer {
  @EventPattern(campaignStopTopic.name, { consumer: 'batch', batch: true })
  async onStops(@Payload() events: ConsumedEvent<CampaignStop>[], @Ctx() context: EventContext): Promise<void> {
    await context.manager.query('SELECT 1');
    batches.push(events.map((e) => e.eventId));
  }
}

test('a batch handler takes the events of a fetched batch at once, in partition order', async () => {
  const prefix = `eb-${randomBytes(4).toString('hex')}.`;
  const stops = prefix + campaignStopTopic.name;
  await ensureTopics(kafka, [stops]);
  const enrollmentId = randomUUID();
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) ids.push(randomUUID());
  await producer.send({
    topic: stops,
    messages: ids.map((eventId) => ({
      key: enrollmentId,
      value: JSON.stringify(stop(enrollmentId)),
      headers: { 'event-id': eventId, 'event-type': 'campaign.stop', 'occurred-at': new Date().toISOString(), 'org-id': randomUUID() },
    })),
  });
  const service = await startWith(prefix, [BatchConsumer]);
  try {
    await eventually('every event handed over', () => (batches.flat().length >= ids.length ? true : undefined), { timeoutMs: 30_000 });
    assert.deepEqual(batches.flat(), ids, 'in partition order, once each');
    assert.ok(batches.some((b) => b.length > 1), 'in batches');
  } finally {
    await service.stop();
  }
});

@Controller()
class UnknownTopicConsumer {
  @EventPattern('campaign.unknown.v1')
  async on(): Promise<void> {}
}

@Controller()
class NotItsTopicConsumer {
  @EventPattern(trackingEngagementTopic.name, { consumer: 'engagements' })
  async on(): Promise<void> {}
}

@Controller()
class ReplyingConsumer {
  @MessagePattern(campaignStopTopic.name)
  async on(): Promise<string> {
    return 'reply';
  }
}

@Controller()
class BadOptionsConsumer {
  @EventPattern(campaignStopTopic.name, { consumer: 'Not A Name' })
  async on(): Promise<void> {}
}

test('a handler the transport cannot serve fails the start with the reason', async () => {
  const prefix = `ex-${randomBytes(4).toString('hex')}.`;
  await assert.rejects(startWith(prefix, [UnknownTopicConsumer]), /campaign\.unknown\.v1.*no such topic/);
  await assert.rejects(startWith(prefix, [NotItsTopicConsumer]), /tracking\.engagement\.v1.*sequencer is not among the topic's consumers/);
  await assert.rejects(startWith(prefix, [ReplyingConsumer]), /@MessagePattern\('campaign\.stop\.v1'\).*use @EventPattern/);
  await assert.rejects(startWith(prefix, [BadOptionsConsumer]), /consumer must be a lower-case name/);
});
