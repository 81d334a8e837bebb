import { setTimeout as delay } from 'node:timers/promises';
import type { Admin, Consumer, EachBatchPayload, EachMessagePayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { DataSource, EntityManager } from 'typeorm';
import { SpanKind, SpanStatusCode, context, trace, type Link } from '@opentelemetry/api';
import { EventHeaders, deadLetterTopicName, type PayloadOf, type ServiceName, type TopicDefinition } from '@telltale/contracts';
import { createMetricsRegistry, secondsSince, type Registry } from '@telltale/metrics';
import type { Logger } from '@telltale/telemetry';
import { consumerGroupLag, consumerMetrics, type ConsumerMetrics, type PartitionLag } from './consumer-metrics';
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

/**
 * Takes the events of a fetched batch together, in partition order, one transaction per chunk: for
 * high-volume topics where a transaction per event would cost more than the work (the tracker's
 * engagement store). No processed-event rows are kept: delivery is at least once and the handler
 * must be idempotent by itself (e.g. the event id as primary key, `ON CONFLICT DO NOTHING`).
 */
export interface BatchSubscription<T extends TopicDefinition = TopicDefinition> {
  topic: T;
  handleBatch(events: ConsumedEvent<PayloadOf<T>>[], manager: EntityManager): Promise<void>;
}

export function subscribeBatch<T extends TopicDefinition>(topic: T, handleBatch: BatchSubscription<T>['handleBatch']): BatchSubscription {
  return { topic, handleBatch } as unknown as BatchSubscription;
}

const isBatch = (s: Subscription | BatchSubscription): s is BatchSubscription => 'handleBatch' in s;

interface OriginalMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

type Decoded = { ok: true; event: ConsumedEvent<unknown> } | { ok: false; reason: string; error: string };

/** Events of one batch handled per transaction at most. */
const BATCH_CHUNK = 500;

export interface EventConsumerOptions {
  service: ServiceName;
  /** Distinguishes several consumers of one service (part of the dedupe key and the group id). */
  name?: string;
  kafka: Kafka;
  dataSource: DataSource;
  schema: string;
  /** Either all per-event (`subscribe`) or all batch (`subscribeBatch`). */
  subscriptions: (Subscription | BatchSubscription)[];
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
  /** The service's metrics registry (ServiceRuntime.metrics); none given, nothing is exported. */
  metrics?: Registry;
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
  private readonly byTopic: Map<string, Subscription | BatchSubscription>;
  private readonly batchMode: boolean;
  private readonly consumerName: string;
  private readonly prefix: string;
  private joined!: Promise<void>;
  /** The client whose run() (its group join) is under way, if any. */
  private joining: Consumer | null = null;
  private stopping = false;
  private recovering = false;
  private readonly metrics: ConsumerMetrics;

  constructor(private readonly options: EventConsumerOptions) {
    this.log = options.logger.child({ component: 'event-consumer' });
    this.prefix = options.topicPrefix ?? '';
    this.byTopic = new Map(options.subscriptions.map((s) => [this.prefix + s.topic.name, s]));
    this.batchMode = options.subscriptions.length > 0 && options.subscriptions.every(isBatch);
    if (!this.batchMode && options.subscriptions.some(isBatch)) throw new Error('a consumer takes either per-event or batch subscriptions, not both');
    this.consumerName = options.name ? `${options.service}.${options.name}` : options.service;
    this.metrics = consumerMetrics(options.metrics ?? createMetricsRegistry());
  }

  /** The consumer's name in metrics (`<service>[.<name>]`), beside the topic without its prefix. */
  get metricsName(): string {
    return this.consumerName;
  }

  /** Metric labels of a topic: its name without KAFKA_TOPIC_PREFIX (bounded, stable across environments). */
  private labels(topic: string): { consumer: string; topic: string } {
    return { consumer: this.consumerName, topic: topic.startsWith(this.prefix) ? topic.slice(this.prefix.length) : topic };
  }

  /** The group's lag on each partition of its topics (high watermark minus committed offset), topics without the prefix. */
  async lag(admin: Admin): Promise<PartitionLag[]> {
    const lags = await consumerGroupLag(admin, this.groupId, [...this.byTopic.keys()]);
    return lags.map((l) => ({ ...l, topic: this.labels(l.topic).topic }));
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
    this.stopping = false;
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
        if (attempt >= 10 || this.stopping) {
          await this.dlqProducer?.disconnect().catch(() => undefined);
          throw err;
        }
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
      // kafkajs's own restart after a crash cannot be cancelled: a consumer stopped while one was
      // under way (Kafka away) came back later as a zombie member holding partitions. We restart
      // crashed consumers ourselves (recover), as a fresh client, and never once stopped.
      retry: { retries: 10, restartOnFailure: async () => false },
    });
    this.consumer = consumer;
    this.joined = new Promise((resolve) => {
      consumer.on(consumer.events.GROUP_JOIN, () => resolve());
    });
    // kafkajs's run() does not reject when the first join fails: it reports a CRASH and resolves
    // (e.g. no group coordinator yet after a broker restart). Such a start is a failed start, for
    // the caller to retry; only a crash of a consumer that did start calls for recovery. (Handing
    // a start-time crash to recover() lost the consumer for good when it came during a recovery.)
    let running = false;
    let startCrash: Error | null = null;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      // Also errors kafkajs deems non-retriable (e.g. no group coordinator for a while after a
      // broker restart): a consumer must not die quietly.
      if (this.stopping || this.consumer !== consumer) return;
      if (!running) {
        startCrash = payload.error;
        return;
      }
      this.log.warn({ err: payload.error.message }, 'consumer crashed; rejoining');
      void this.recover();
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...this.byTopic.keys()], fromBeginning: true });
    // Stopped while connecting (Kafka away, then back): this client must not join the group.
    if (this.stopping) throw new Error('consumer stopped');
    this.joining = consumer;
    try {
      await this.runConsumer(consumer);
    } finally {
      this.joining = null;
    }
    // Stopped while joining: stop() left this client alone (see there); it leaves the group now.
    if (this.stopping) {
      await consumer.disconnect().catch(() => undefined);
      throw new Error('consumer stopped');
    }
    if (startCrash) throw startCrash;
    running = true;
  }

  private async runConsumer(consumer: Consumer): Promise<void> {
    await consumer.run({
      autoCommit: true,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      ...(this.batchMode
        ? {
            eachBatch: (payload: EachBatchPayload) => this.onBatch(payload, consumer),
            // kafkajs would otherwise mark the whole batch consumed when eachBatch returns, also
            // the part a stop or rebalance left unhandled: those events would be skipped for good.
            eachBatchAutoResolve: false,
          }
        : { eachMessage: (payload: EachMessagePayload) => this.onMessage(payload, consumer) }),
    });
  }

  /** True (and the consumer on its way out of the group) when this consumer was stopped meanwhile. */
  private leaveIfStopped(consumer: Consumer | null): boolean {
    if (!this.stopping) return false;
    // Not awaited: disconnect waits for the batch or message being handled, which may be our caller.
    setImmediate(() => void consumer?.disconnect().catch(() => undefined));
    return true;
  }

  /** Rejoins after a crash, as a fresh client, with backoff (at most 10 s apart), until it works or we stop. */
  private async recover(): Promise<void> {
    if (this.recovering) return;
    this.recovering = true;
    try {
      for (let attempt = 1; !this.stopping; attempt++) {
        await delay(Math.min(10_000, 500 * 2 ** Math.min(attempt, 5)));
        if (this.stopping) return;
        await this.consumer?.disconnect().catch(() => undefined);
        if (this.stopping) return;
        try {
          await this.startConsumer();
          this.log.info({ attempt }, 'consumer rejoined after a crash');
          return;
        } catch (err) {
          this.log.warn({ attempt, err: (err as Error).message }, 'consumer rejoin failed; retrying');
        }
      }
    } finally {
      // stop() may have run while a new consumer was being started: it must not outlive the stop.
      if (this.stopping) await this.consumer?.disconnect().catch(() => undefined);
      this.recovering = false;
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    // Not a client whose join is under way: kafkajs's disconnect() during a join drops its handle on
    // the runner, which then finishes joining and stays in the group, fetching and heartbeating, a
    // member nobody can stop (it held the tracker store's partitions after an outage). Such a
    // client leaves as soon as its join ends (startConsumer).
    if (this.consumer !== this.joining) await this.consumer?.disconnect().catch(() => undefined);
    await this.dlqProducer?.disconnect().catch(() => undefined);
    this.consumer = null;
    this.dlqProducer = null;
  }

  private async onMessage({ topic, partition, message }: EachMessagePayload, consumer: Consumer): Promise<void> {
    // Throwing makes kafkajs keep the offset; the message is redelivered to the group's next member.
    if (this.leaveIfStopped(consumer)) throw new Error('consumer stopped');
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
          const startedAt = performance.now();
          try {
            const outcome = await this.process(topic, partition, message.offset, message.key, message.value, headers);
            const labels = this.labels(topic);
            this.metrics.handleSeconds.observe({ ...labels, mode: 'event' }, secondsSince(startedAt));
            // Dead letters are counted where they are sent (both modes).
            if (outcome.kind !== 'dead-lettered') this.metrics.events.inc({ ...labels, outcome: outcome.kind });
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
    const original = { topic, partition, offset, key, value, headers };
    const subscription = this.byTopic.get(topic);
    if (!subscription || isBatch(subscription)) return this.deadLetter(original, 'unsubscribed topic', 'no subscription');
    const decoded = this.decode(subscription, original);
    if (!decoded.ok) return this.deadLetter(original, decoded.reason, decoded.error);
    const event = decoded.event;
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
        if (attempt < maxAttempts) {
          this.metrics.retries.inc(this.labels(topic));
          await delay(Math.min(5_000, base * 2 ** (attempt - 1)));
        }
      }
    }
    return this.deadLetter(original, 'handler-failed', lastError?.message ?? 'unknown error');
  }

  /** Headers, JSON and schema checks shared by both modes; a failure names what was wrong. */
  private decode(subscription: Subscription | BatchSubscription, original: OriginalMessage): Decoded {
    const parsedHeaders = EventHeaders.safeParse(original.headers);
    if (!parsedHeaders.success) {
      return { ok: false, reason: 'invalid', error: `headers: ${parsedHeaders.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
    }
    let json: unknown;
    try {
      json = JSON.parse(original.value?.toString('utf8') ?? 'null');
    } catch (err) {
      return { ok: false, reason: 'invalid', error: `value is not JSON: ${(err as Error).message}` };
    }
    const parsed = subscription.topic.schema.safeParse(json);
    if (!parsed.success) {
      return { ok: false, reason: 'invalid', error: `payload: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}` };
    }
    const h = parsedHeaders.data;
    return {
      ok: true,
      event: {
        eventId: h['event-id'],
        eventType: h['event-type'],
        occurredAt: new Date(h['occurred-at']),
        orgId: h['org-id'],
        topic: original.topic,
        key: original.key?.toString('utf8') ?? null,
        partition: original.partition,
        offset: original.offset,
        payload: parsed.data,
      },
    };
  }

  /**
   * Batch mode: valid events go to the handler in chunks, in partition order; an invalid message is
   * dead-lettered in its place. Offsets are resolved only behind what was handled or dead-lettered
   * (kafkajs's own resolve at the end of a batch is off), so a stop or rebalance mid-batch
   * redelivers the rest (the handler is idempotent).
   */
  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload, consumer: Consumer): Promise<void> {
    if (this.leaveIfStopped(consumer)) return;
    const subscription = this.byTopic.get(batch.topic);
    const tracer = trace.getTracer('@telltale/kafka');
    let pending: { event: ConsumedEvent<unknown>; original: OriginalMessage }[] = [];
    const live = () => !this.stopping && isRunning() && !isStale();
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      const chunk = pending;
      pending = [];
      const links: Link[] = chunk.map(({ original }) => ({ context: trace.getSpanContext(contextFromHeaders(original.headers))! })).filter((l) => l.context !== undefined);
      await tracer.startActiveSpan(
        `${batch.topic} process`,
        {
          kind: SpanKind.CONSUMER,
          links,
          attributes: {
            'messaging.system': 'kafka',
            'messaging.destination.name': batch.topic,
            'messaging.consumer.group.name': this.groupId,
            'messaging.batch.message_count': chunk.length,
            'messaging.destination.partition.id': String(batch.partition),
          },
        },
        async (span) => {
          const startedAt = performance.now();
          try {
            await this.handleChunk(subscription as BatchSubscription, chunk, heartbeat, live);
            this.metrics.handleSeconds.observe({ ...this.labels(batch.topic), mode: 'batch' }, secondsSince(startedAt));
          } finally {
            span.end();
          }
        },
      );
      resolveOffset(chunk[chunk.length - 1]!.original.offset);
      await heartbeat();
    };
    for (const message of batch.messages) {
      if (!live()) break;
      const original = this.originalOf(batch.topic, batch.partition, message);
      const decoded: Decoded = subscription && isBatch(subscription) ? this.decode(subscription, original) : { ok: false, reason: 'unsubscribed topic', error: 'no subscription' };
      if (decoded.ok) {
        pending.push({ event: decoded.event, original });
        if (pending.length >= BATCH_CHUNK) await flush();
        continue;
      }
      await flush();
      await this.deadLetter(original, decoded.reason, decoded.error);
      resolveOffset(message.offset);
    }
    if (live()) await flush();
  }

  /**
   * One transaction for the chunk, retried with backoff. While the database cannot be reached the
   * chunk waits (heartbeating) rather than being dead-lettered: that is an outage, not a bad event.
   * A chunk that keeps failing with the database up is retried event by event, so only the event
   * that fails is dead-lettered.
   */
  private async handleChunk(
    subscription: BatchSubscription,
    chunk: { event: ConsumedEvent<unknown>; original: OriginalMessage }[],
    heartbeat: () => Promise<void>,
    live: () => boolean,
  ): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    const base = this.options.retryBaseMs ?? 200;
    let lastError: Error | null = null;
    for (let attempt = 1, outage = 0; attempt <= maxAttempts; ) {
      try {
        await this.options.dataSource.transaction((manager) => subscription.handleBatch(chunk.map((c) => c.event) as ConsumedEvent<never>[], manager));
        this.metrics.events.inc({ ...this.labels(chunk[0]!.original.topic), outcome: 'handled' }, chunk.length);
        return;
      } catch (err) {
        lastError = err as Error;
        if (!live()) throw lastError;
        const reachable = await this.options.dataSource.query('SELECT 1').then(
          () => true,
          () => false,
        );
        if (reachable) attempt += 1;
        else outage += 1;
        this.log.warn({ attempt, maxAttempts, events: chunk.length, databaseReachable: reachable, err: lastError.message }, 'batch handler failed');
        if (attempt <= maxAttempts) this.metrics.retries.inc(this.labels(chunk[0]!.original.topic));
        await heartbeat();
        await delay(Math.min(5_000, base * 2 ** Math.min(reachable ? attempt - 1 : outage, 5)));
      }
    }
    if (chunk.length > 1) {
      for (const one of chunk) await this.handleChunk(subscription, [one], heartbeat, live);
      return;
    }
    await this.deadLetter(chunk[0]!.original, 'handler-failed', lastError?.message ?? 'unknown error');
  }

  private originalOf(topic: string, partition: number, message: KafkaMessage): OriginalMessage {
    return { topic, partition, offset: message.offset, key: message.key, value: message.value, headers: headersToStrings(message.headers) };
  }

  private async deadLetter(
    original: OriginalMessage,
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
    const labels = this.labels(original.topic);
    this.metrics.deadLetters.inc({ ...labels, reason: reason.replace(/[^a-z]+/g, '_') });
    this.metrics.events.inc({ ...labels, outcome: 'dead_lettered' });
    return { kind: 'dead-lettered', reason };
  }
}
