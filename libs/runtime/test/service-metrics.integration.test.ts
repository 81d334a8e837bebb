import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { Controller, Module } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Kafka, logLevel } from 'kafkajs';
import { campaignStopTopic, type CampaignStop } from '@telltale/contracts';
import { createServiceDataSource, messagingTablesMigration, runServiceMigrations } from '@telltale/db';
import { OutboxRelay, OutboxWriter, ensureTopics, type ConsumedEvent } from '@telltale/kafka';
import { Registry, sampleValue } from '@telltale/metrics';
import { createLogger } from '@telltale/telemetry';
import { createTestDatabase, eventually } from '@telltale/testing';
import { findFreePort } from '@telltale/testing/dist/src/infrastructure/free-port';
import { RuntimeModule, ServiceRuntime, startService, type StartedService } from '../src';

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run with \`npm test\``);
  return v;
}

const prefix = `mt-${randomBytes(4).toString('hex')}.`;
const logger = createLogger({ service: 'metrics-test', level: 'silent' });
let databaseUrl: string;
let drop: () => Promise<void>;
let kafka: Kafka;

/** A campaign stop of the enrollment (its key, hence its partition). */
const stop = (enrollmentId: string, causeId = randomUUID()): CampaignStop =>
  ({ stopId: randomUUID(), orgId: randomUUID(), enrollmentId, reason: 'replied', causeId, sentEmailId: null, occurredAt: new Date().toISOString() });

before(async () => {
  const db = await createTestDatabase(env('DATABASE_URL'));
  databaseUrl = db.url;
  drop = db.drop;
  kafka = new Kafka({ clientId: 'metrics-test', brokers: env('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING });
});

after(async () => {
  await drop?.();
});

test('the outbox gauges read the backlog and the age of its oldest row from PostgreSQL at scrape time', async () => {
  const schema = 'metrics_outbox';
  const dataSource = createServiceDataSource({ url: databaseUrl, schema, entities: [], migrations: [messagingTablesMigration(schema)], applicationName: 'metrics-test' });
  await runServiceMigrations(dataSource, schema);
  // Its own topic: the service test below counts what its consumer reads from the beginning.
  const outboxPrefix = `${prefix}outbox.`;
  await ensureTopics(kafka, [outboxPrefix + campaignStopTopic.name]);
  const registry = new Registry();
  const relay = new OutboxRelay({ dataSource, databaseUrl, schema, kafka, logger, metrics: registry, pollIntervalMs: 60_000 });
  const writer = new OutboxWriter(schema, outboxPrefix);
  const scrape = () => registry.metrics();
  try {
    let page = await registry.metrics();
    assert.equal(sampleValue(page, 'telltale_outbox_backlog'), 0);
    assert.equal(sampleValue(page, 'telltale_outbox_oldest_age_seconds'), 0);
    for (let i = 0; i < 3; i++) await dataSource.transaction((m) => writer.enqueue(m, campaignStopTopic, stop(randomUUID()), { orgId: randomUUID() }));
    await dataSource.query(`UPDATE "${schema}".outbox SET created_at = now() - interval '90 seconds' WHERE seq = (SELECT min(seq) FROM "${schema}".outbox)`);
    page = await scrape();
    assert.equal(sampleValue(page, 'telltale_outbox_backlog'), 3);
    assert.ok(sampleValue(page, 'telltale_outbox_oldest_age_seconds')! >= 90, 'the oldest unpublished row is 90 s old');
    await relay.start();
    page = await eventually('the outbox drained', async () => {
      const p = await scrape();
      // The counter moves just after the transaction that marks the rows commits.
      return sampleValue(p, 'telltale_outbox_backlog') === 0 && sampleValue(p, 'telltale_outbox_published_total') === 3 ? p : undefined;
    });
    assert.equal(sampleValue(page, 'telltale_outbox_oldest_age_seconds'), 0);
  } finally {
    await relay.stop();
    await dataSource.destroy();
  }
});

@Module({})
class MetricsTestModule {}

/** The service test's handler: holds one event until released, fails another once. */
let release!: () => void;
const gate = new Promise<void>((resolve) => (release = resolve));
const blocked = randomUUID();
const flaky = randomUUID();
const failed = new Set<string>();

@Controller()
class MetricsTestConsumer {
  @EventPattern(campaignStopTopic.name, { consumer: 'metrics' })
  async onStop(@Payload() event: ConsumedEvent<CampaignStop>): Promise<void> {
    const payload = event.payload;
    if (payload.reason === 'replied' && payload.enrollmentId === blocked && payload.causeId === blocked) await gate;
    if (payload.enrollmentId === flaky && !failed.has(event.eventId)) {
      failed.add(event.eventId);
      throw new Error('fails once');
    }
  }
}

test('a started service serves /metrics on its own port: consumer outcomes, retries, dead letters, handling time, lag, outbox, process', async () => {
  const consumerGroupSuffix = randomBytes(3).toString('hex');
  const runtime = new ServiceRuntime({
    service: 'sequencer',
    schema: 'metrics_service',
    databaseUrl,
    kafkaBrokers: env('KAFKA_BROKERS').split(','),
    entities: [],
    migrations: [],
    producedTopics: [campaignStopTopic],
    runMigrations: true,
    logger,
    topicPrefix: prefix,
    consumerGroupSuffix,
  });
  const labels = { consumer: `sequencer.metrics.${consumerGroupSuffix}`, topic: campaignStopTopic.name };
  const lagLines = (page: string) => page.split('\n').filter((l) => l.startsWith('telltale_kafka_consumer_lag{') && l.includes(`consumer="${labels.consumer}"`));
  const totalLag = (page: string) => lagLines(page).reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  let service: StartedService | null = null;
  const producer = kafka.producer();
  try {
    // No metricsPort given (as from a service config): METRICS_PORT from the environment.
    const metricsPort = await findFreePort();
    process.env.METRICS_PORT = String(metricsPort);
    try {
      service = await startService({ runtime, module: { module: MetricsTestModule, imports: [RuntimeModule.forRuntime(runtime)], controllers: [MetricsTestConsumer] }, port: 0, host: '127.0.0.1' });
    } finally {
      delete process.env.METRICS_PORT;
    }
    assert.equal(service.metricsUrl, `http://127.0.0.1:${metricsPort}/metrics`);
    const scrape = async (): Promise<string> => {
      const res = await fetch(service!.metricsUrl);
      assert.equal(res.status, 200);
      return res.text();
    };
    assert.equal((await fetch(`${service.url}/metrics`)).status, 404, 'not on the service port');
    assert.equal((await fetch(service.metricsUrl.replace('/metrics', '/health/live'))).status, 404, 'only /metrics on the metrics port');

    const enqueue = (event: CampaignStop) => runtime.transaction((m) => runtime.outbox.enqueue(m, campaignStopTopic, event, { orgId: event.orgId }));
    // One event holds its partition; three more of the same key wait behind it.
    await enqueue(stop(blocked, blocked));
    for (let i = 0; i < 3; i++) await enqueue(stop(blocked));
    await eventually('lag behind the held event', async () => (totalLag(await scrape()) >= 3 ? true : undefined));

    await enqueue(stop(flaky));
    await producer.connect();
    await producer.send({ topic: prefix + campaignStopTopic.name, messages: [{ key: 'x', value: 'not json' }] });
    release();

    let last = '';
    const page = await eventually('every event handled and the lag gone', async () => {
      const p = (last = await scrape());
      const handled = sampleValue(p, 'telltale_kafka_consumed_events_total', { ...labels, outcome: 'handled' });
      return handled === 5 && lagLines(p).length > 0 && totalLag(p) === 0 ? p : undefined;
    }).catch((err: Error) => {
      throw new Error(`${err.message}; last scrape:\n${last.split('\n').filter((l) => l.startsWith('telltale_kafka_con')).join('\n')}`);
    });
    assert.equal(sampleValue(page, 'telltale_kafka_handler_retries_total', labels), 1);
    assert.equal(sampleValue(page, 'telltale_kafka_dead_letters_total', { ...labels, reason: 'invalid' }), 1);
    assert.equal(sampleValue(page, 'telltale_kafka_consumed_events_total', { ...labels, outcome: 'dead_lettered' }), 1);
    assert.equal(sampleValue(page, 'telltale_kafka_handle_duration_seconds_count', { ...labels, mode: 'event' }), 6);
    assert.ok(sampleValue(page, 'telltale_kafka_handle_duration_seconds_sum', { ...labels, mode: 'event' })! > 0);
    await eventually('the outbox drained', async () => {
      const p = await scrape();
      return sampleValue(p, 'telltale_outbox_published_total') === 5 && sampleValue(p, 'telltale_outbox_backlog') === 0 ? true : undefined;
    });
    assert.ok(sampleValue(page, 'process_cpu_user_seconds_total')! > 0, 'process metrics');
    assert.ok(sampleValue(page, 'nodejs_eventloop_lag_seconds') !== undefined);
    assert.ok(!page.includes(prefix), 'topic labels carry no KAFKA_TOPIC_PREFIX');
  } finally {
    release();
    await producer.disconnect();
    await service?.stop();
  }
  await assert.rejects(fetch(service!.metricsUrl), 'the metrics server stops with the service');
});
