import { setTimeout as delay } from 'node:timers/promises';
import type { Consumer, EachMessagePayload, Kafka, Producer } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { EventHeaders, deadLetterTopicName, type PayloadOf, type ServiceName, type TopicDefinition } from '@telltale/contracts';
import type { Logger } from '@telltale/telemetry';
import { headersToStrings } from './event-envelope';
import { contextFromHeaders } from './trace-propagation';

export interface ConsumedEvent<P> {
  eventId: string;
  eventType: string;
  occurredAt: Date;
  orgId: string;
  topic: string;
  key: string | null;
  partition: number;
  offset: string;
  payload: P;
}

export interface Subscription<T extends TopicDefinition = TopicDefinition> {
  topic: T;
  /** Runs inside the transaction that records the event id: effect and dedupe commit together. */
  handle(event: ConsumedEvent<PayloadOf<T>>, manager: EntityManager): Promise<void>;
}

export function subscribe<T extends TopicDefinition>(topic: T, handle: Subscription<T>['handle']): Subscription {
  return { topic, handle } as unknown as Subscription;
}

export interface EventConsumerOptions {
  service: ServiceName;
  /** Distinguishes several consumers of one service (part of the dedupe key and the group id). */
  name?: string;
  kafka: Kafka;
  dataSource: DataSource;
  schema: string;
  subscriptions: Subscription[];
  logger: Logger;
  /** Namespace of every topic and group on a shared cluster (KAFKA_TOPIC_PREFIX). */
  topicPrefix?: string;
  maxAttempts?: number;
  retryBaseMs?: number;
  /**
   * Partitions handled in parallel. Order is only promised per key, and a key lives on one
   * partition, so this never reorders one enrollment's or one mailbox's events.
   */
  partitionsConsumedConcurrently?: number;
}

type Outcome = { kind: 'handled' } | { kind: 'duplicate' } | { kind: 'dead-lettered'; reason: string };

/**
 * Consumes topics with: schema validation of headers and payload (invalid → dead-letter at once),
 * idempotency (processed event ids stored in the handler's own transaction), bounded retries with
 * backoff, then the dead-letter topic `<topic>.dlq.<service>` carrying the error and the original
 * message. A handler failure never crashes the consumer and never loses the message.
 */
export class EventConsumer {
  private consumer: Consumer | null = null;
  private dlqProducer: Producer | null = null;
  private readonly log: Logger;
  private readonly byTopic: Map<string, Subscription>;
  private readonly consumerName: string;
  private readonly prefix: string;
  private joined!: Promise<void>;

  constructor(private readonly options: EventConsumerOptions) {
    this.log = options.logger.child({ component: 'event-consumer' });
    this.prefix = options.topicPrefix ?? '';
    this.byTopic = new Map(options.subscriptions.map((s) => [this.prefix + s.topic.name, s]));
    this.consumerName = options.name ? `${options.service}.${options.name}` : options.service;
  }

  get groupId(): string {
    return `${this.prefix}telltale.${this.consumerName}`;
  }

  get deadLetterTopics(): string[] {
    return [...this.byTopic.keys()].map((t) => deadLetterTopicName(t, this.options.service));
  }

  /** Resolves once the consumer has joined its group and been assigned partitions. */
  get ready(): Promise<void> {
    return this.joined;
  }

  async start(): Promise<void> {
    const { kafka } = this.options;
    this.dlqProducer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await this.dlqProducer.connect();
    // A freshly started broker answers "coordinator loading" for a while: retry joining.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.startConsumer();
        return;
      } catch (err) {
        await this.consumer?.disconnect().catch(() => undefined);
        if (attempt >= 10) throw err;
        this.log.warn({ attempt, err: (err as Error).message }, 'consumer start failed; retrying');
        await delay(Math.min(5_000, 250 * 2 ** attempt));
      }
    }
  }

  private async startConsumer(): Promise<void> {
    const consumer = this.options.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: 15_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 100,
      retry: { retries: 10 },
    });
    this.consumer = consumer;
    this.joined = new Promise((resolve) => {
      consumer.on(consumer.events.GROUP_JOIN, () => resolve());
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...this.byTopic.keys()], fromBeginning: true });
    await consumer.run({
      autoCommit: true,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachMessage: (payload) => this.onMessage(payload),
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
    await this.dlqProducer?.disconnect().catch(() => undefined);
    this.consumer = null;
    this.dlqProducer = null;
  }

  private async onMessage({ topic, partition, message }: EachMessagePayload): Promise<void> {
    const headers = headersToStrings(message.headers);
    const parentContext = contextFromHeaders(headers);
    const tracer = trace.getTracer('@telltale/kafka');
    await context.with(parentContext, () =>
      tracer.startActiveSpan(
        `${topic} process`,
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.destination.name': topic,
            'messaging.consumer.group.name': this.groupId,
            'messaging.kafka.message.offset': message.offset,
            'messaging.destination.partition.id': String(partition),
          },
        },
        async (span) => {
          try {
            const outcome = await this.process(topic, partition, message.offset, message.key, message.value, headers);
            span.setAttribute('telltale.outcome', outcome.kind);
            if (outcome.kind === 'dead-lettered') span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.reason });
          } finally {
            span.end();
          }
        },
      ),
    );
  }

  private async process(
    topic: string,
    partition: number,
    offset: string,
    key: Buffer | null,
    value: Buffer | null,
    headers: Record<string, string>,
  ): Promise<Outcome> {
    const subscription = this.byTopic.get(topic);
    const original = { topic, partition, offset, key, value, headers };
    if (!subscription) return this.deadLetter(original, 'unsubscribed topic', 'no subscription');

    const parsedHeaders = EventHeaders.safeParse(headers);
    if (!parsedHeaders.success) {
      return this.deadLetter(original, 'invalid', `headers: ${parsedHeaders.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(value?.toString('utf8') ?? 'null');
    } catch (err) {
      return this.deadLetter(original, 'invalid', `value is not JSON: ${(err as Error).message}`);
    }
    const parsed = subscription.topic.schema.safeParse(json);
    if (!parsed.success) {
      return this.deadLetter(original, 'invalid', `payload: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    }
    const h = parsedHeaders.data;
    const event: ConsumedEvent<unknown> = {
      eventId: h['event-id'],
      eventType: h['event-type'],
      occurredAt: new Date(h['occurred-at']),
      orgId: h['org-id'],
      topic,
      key: key?.toString('utf8') ?? null,
      partition,
      offset,
      payload: parsed.data,
    };
    const log = this.log.child({ topic, event_id: event.eventId, org_id: event.orgId });

    const maxAttempts = this.options.maxAttempts ?? 5;
    const base = this.options.retryBaseMs ?? 200;
    let lastError: Error | null = null;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        const handled = await this.options.dataSource.transaction(async (manager) => {
          const inserted = (await manager.query(
            `INSERT INTO "${this.options.schema}".processed_event (consumer, event_id, topic) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING RETURNING event_id`,
            [this.consumerName, event.eventId, topic],
          )) as unknown[];
          if (inserted.length === 0) return false;
          await subscription.handle(event as ConsumedEvent<never>, manager);
          return true;
        });
        if (!handled) log.debug('duplicate event skipped');
        return handled ? { kind: 'handled' } : { kind: 'duplicate' };
      } catch (err) {
        lastError = err as Error;
        log.warn({ attempt, maxAttempts, err: lastError.message }, 'event handler failed');
        if (attempt < maxAttempts) await delay(Math.min(5_000, base * 2 ** (attempt - 1)));
      }
    }
    return this.deadLetter(original, 'handler-failed', lastError?.message ?? 'unknown error');
  }

  private async deadLetter(
    original: { topic: string; partition: number; offset: string; key: Buffer | null; value: Buffer | null; headers: Record<string, string> },
    reason: string,
    error: string,
  ): Promise<Outcome> {
    const dlq = deadLetterTopicName(original.topic, this.options.service);
    this.log.error({ topic: original.topic, dlq, reason, error, offset: original.offset }, 'message dead-lettered');
    if (!this.dlqProducer) throw new Error('consumer stopped');
    // If this send fails the error propagates, the offset is not committed and Kafka redelivers:
    // a message is never dropped on the floor.
    await this.dlqProducer.send({
      topic: dlq,
      acks: -1,
      messages: [
        {
          key: original.key,
          value: original.value,
          headers: {
            ...original.headers,
            'dlq-reason': reason,
            'dlq-error': error.slice(0, 4000),
            'dlq-original-topic': original.topic,
            'dlq-original-partition': String(original.partition),
            'dlq-original-offset': original.offset,
            'dlq-consumer': this.groupId,
            'dlq-failed-at': new Date().toISOString(),
          },
        },
      ],
    });
    return { kind: 'dead-lettered', reason };
  }
}
