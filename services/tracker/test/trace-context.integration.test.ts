// Telemetry first, exactly as in main.ts.
import { spanExporter } from './support/test-telemetry';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { SpanKind, trace } from '@opentelemetry/api';
import { trackingEngagementTopic } from '@telltale/contracts';
import { EventConsumer, subscribe } from '@telltale/kafka';
import type { StartedService } from '@telltale/runtime';
import { createLogger } from '@telltale/telemetry';
import { createTestDatabase } from '@telltale/testing';
import { buildOpenUrl, generateSigningKeySpec, parseSigningKeys, signTrackingToken } from '@telltale/tracking';
import { TrackerConfig, startTracker } from '../src';

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run with \`npm test\``);
  return v;
}

let tracker: StartedService;
let consumer: EventConsumer;
let drop: () => Promise<void>;
const keys = generateSigningKeySpec('t1');
const prefix = `trace-${randomBytes(4).toString('hex')}.`;
const seenTraceIds: string[] = [];

before(async () => {
  const db = await createTestDatabase(env('DATABASE_URL'));
  drop = db.drop;
  tracker = await startTracker(
    TrackerConfig.parse({ DATABASE_URL: db.url, KAFKA_BROKERS: env('KAFKA_BROKERS'), KAFKA_TOPIC_PREFIX: prefix, PORT: '0', HOST: '127.0.0.1', TRACKING_SIGNING_KEYS: keys, LOG_LEVEL: 'warn' }),
  );
  // A downstream consumer, as crm-writer or an internal team would run one.
  consumer = new EventConsumer({
    service: 'crm-writer',
    name: 'trace-test',
    kafka: tracker.runtime.kafka,
    dataSource: tracker.runtime.dataSource,
    schema: 'tracker',
    topicPrefix: prefix,
    logger: createLogger({ service: 'trace-test', level: 'silent' }),
    subscriptions: [
      subscribe(trackingEngagementTopic, async () => {
        seenTraceIds.push(trace.getActiveSpan()?.spanContext().traceId ?? 'none');
      }),
    ],
  });
  await consumer.start();
  await consumer.ready;
});

after(async () => {
  await consumer?.stop();
  await tracker?.stop();
  await drop?.();
});

test('one trace spans the pixel request, the Kafka produce and the consumer', async () => {
  const token = signTrackingToken({ kind: 'open', orgId: randomUUID(), sentEmailId: randomUUID(), issuedAt: new Date() }, parseSigningKeys(keys));
  const res = await fetch(buildOpenUrl(tracker.url, token));
  assert.equal(res.status, 200);
  // The handler runs inside the consumer span, which ends only once the handler's transaction has
  // committed: wait for the span itself, not just the handler.
  const isConsumerSpan = (s: ReturnType<typeof spanExporter.getFinishedSpans>[number]) =>
    s.kind === SpanKind.CONSUMER && s.name === `${prefix}${trackingEngagementTopic.name} process` && String(s.attributes['messaging.consumer.group.name']).endsWith('crm-writer.trace-test');
  const deadline = Date.now() + 30_000;
  while (!spanExporter.getFinishedSpans().some(isConsumerSpan) && Date.now() < deadline) await delay(50);
  assert.equal(seenTraceIds.length, 1, 'the consumer handled the engagement');

  const spans = spanExporter.getFinishedSpans();
  const server = spans.find((s) => s.kind === SpanKind.SERVER && String(s.attributes['http.target'] ?? s.attributes['url.path'] ?? s.name).includes('/o/'))
    ?? spans.find((s) => s.kind === SpanKind.SERVER);
  const producer = spans.find((s) => s.kind === SpanKind.PRODUCER && s.name === `${prefix}${trackingEngagementTopic.name} publish`);
  // The downstream consumer's span (the tracker's own engagement store consumes the topic too, in batches).
  const consumerSpan = spans.find(isConsumerSpan);
  assert.ok(server, 'the HTTP request has a server span');
  assert.ok(producer, 'publishing has a producer span');
  assert.ok(consumerSpan, 'handling has a consumer span');
  const traceId = server.spanContext().traceId;
  assert.equal(producer.spanContext().traceId, traceId);
  assert.equal(consumerSpan.spanContext().traceId, traceId);
  assert.equal(seenTraceIds[0], traceId, 'the handler runs inside that trace');
  assert.equal(consumerSpan.parentSpanContext?.spanId, producer.spanContext().spanId, 'the consumer continues from the producer span');
});
