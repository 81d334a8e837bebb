import { setTimeout as delay } from 'node:timers/promises';
import type { Admin, Consumer, EachBatchPayload, EachMessagePayload, Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { backoffDelayMs, deadLetterTopicName, type Backoff, type ServiceName } from '@telltale/contracts';
import { createMetricsRegistry, secondsSince, type Registry } from '@telltale/metrics';
import type { Logger } from '@telltale/telemetry';
import { isBatch, originalOf, type BatchSubscription, type ConsumedEvent, type OriginalMessage, type Outcome, type Subscription } from './consumed-event';
import { decodeEvent, type Decoded } from './consumer-decoding';
import { handleOnce } from './consumer-idempotency';
import { consumerGroupLag, consumerMetrics, type ConsumerMetrics, type PartitionLag } from './consumer-metrics';
import { consumerRetryPolicy, retryChunk, retryEvent, type RetryPolicy } from './consumer-retries';
import { inBatchSpan, inEventSpan } from './consumer-tracing';
import { DeadLetterProducer } from './dead-letters';

/** Events of one batch handled per transaction at most. */
const BATCH_CHUNK = 500;

/** Joining at start-up: a freshly started broker answers "coordinator loading" for a while. */
const START_ATTEMPTS = 10;
const START_BACKOFF: Backoff = { initialMs: 500, maxMs: 5_000 };
/** Rejoining after a crash, until it works or the consumer stops. */
const REJOIN_BACKOFF: Backoff = { initialMs: 1_000, maxMs: 10_000 };

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

/**
 * Consumes topics with: schema validation of headers and payload (invalid → dead-letter at once,
 * consumer-decoding), idempotency (processed event ids stored in the handler's own transaction,
 * consumer-idempotency), bounded retries with backoff (consumer-retries), then the dead-letter topic
 * `<topic>.dlq.<service>` carrying the error and the original message (dead-letters), in a consumer
 * span continuing the producer's trace (consumer-tracing). A handler failure never crashes the
 * consumer and never loses the message. This class holds the lifecycle: joining, recovering from
 * crashes, stopping.
 */
export class EventConsumer {
  private consumer: Consumer | null = null;
  private readonly deadLetters: DeadLetterProducer;
  private readonly log: Logger;
  private readonly byTopic: Map<string, Subscription | BatchSubscription>;
  private readonly batchMode: boolean;
  private readonly consumerName: string;
  private readonly prefix: string;
  private readonly retryPolicy: RetryPolicy;
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
    this.retryPolicy = consumerRetryPolicy(options.maxAttempts, options.retryBaseMs);
    this.deadLetters = new DeadLetterProducer({
      kafka: options.kafka,
      service: options.service,
      groupId: this.groupId,
      log: this.log,
      metrics: this.metrics,
      labels: (topic) => this.labels(topic),
    });
  }

  /** The consumer's name in metrics and its dedupe key in processed_event (`<service>[.<name>]`). */
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

  /** The topics consumed, with KAFKA_TOPIC_PREFIX. */
  get topics(): string[] {
    return [...this.byTopic.keys()];
  }

  get deadLetterTopics(): string[] {
    return this.topics.map((t) => deadLetterTopicName(t, this.options.service));
  }

  /** Resolves once the consumer has joined its group and been assigned partitions. */
  get ready(): Promise<void> {
    return this.joined;
  }

  async start(): Promise<void> {
    this.stopping = false;
    await this.deadLetters.connect();
    for (let attempt = 1; ; attempt++) {
      try {
        await this.startConsumer();
        return;
      } catch (err) {
        await this.consumer?.disconnect().catch(() => undefined);
        if (attempt >= START_ATTEMPTS || this.stopping) {
          await this.deadLetters.disconnect();
          throw err;
        }
        this.log.warn({ attempt, err: (err as Error).message }, 'consumer start failed; retrying');
        await delay(backoffDelayMs(attempt, START_BACKOFF));
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
    await consumer.subscribe({ topics: this.topics, fromBeginning: true });
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
        await delay(backoffDelayMs(attempt, REJOIN_BACKOFF));
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
    await this.deadLetters.disconnect();
    this.consumer = null;
  }

  private async onMessage({ topic, partition, message }: EachMessagePayload, consumer: Consumer): Promise<void> {
    // Throwing makes kafkajs keep the offset; the message is redelivered to the group's next member.
    if (this.leaveIfStopped(consumer)) throw new Error('consumer stopped');
    const original = originalOf(topic, partition, message);
    await inEventSpan(original, this.groupId, async () => {
      const startedAt = performance.now();
      const outcome = await this.process(original);
      const labels = this.labels(topic);
      this.metrics.handleSeconds.observe({ ...labels, mode: 'event' }, secondsSince(startedAt));
      // Dead letters are counted where they are sent (both modes).
      if (outcome.kind !== 'dead-lettered') this.metrics.events.inc({ ...labels, outcome: outcome.kind });
      return outcome;
    });
  }

  private async process(original: OriginalMessage): Promise<Outcome> {
    const subscription = this.byTopic.get(original.topic);
    if (!subscription || isBatch(subscription)) return this.deadLetters.send(original, 'unsubscribed topic', 'no subscription');
    const decoded = decodeEvent(subscription.topic, original);
    if (!decoded.ok) return this.deadLetters.send(original, decoded.reason, decoded.error);
    const event = decoded.event;
    const log = this.log.child({ topic: original.topic, event_id: event.eventId, org_id: event.orgId });
    const { maxAttempts } = this.retryPolicy;
    const result = await retryEvent(
      this.retryPolicy,
      () => handleOnce(this.options.dataSource, this.options.schema, this.consumerName, event, subscription),
      (err, attempt, retrying) => {
        log.warn({ attempt, maxAttempts, err: err.message }, 'event handler failed');
        if (retrying) this.metrics.retries.inc(this.labels(original.topic));
      },
    );
    if (!result.ok) return this.deadLetters.send(original, 'handler-failed', result.error.message);
    if (!result.value) log.debug('duplicate event skipped');
    return result.value ? { kind: 'handled' } : { kind: 'duplicate' };
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
    let pending: { event: ConsumedEvent<unknown>; original: OriginalMessage }[] = [];
    const live = () => !this.stopping && isRunning() && !isStale();
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      const chunk = pending;
      pending = [];
      await inBatchSpan(
        batch.topic,
        batch.partition,
        chunk.map((c) => c.original),
        this.groupId,
        async () => {
          const startedAt = performance.now();
          await this.handleChunk(subscription as BatchSubscription, chunk, heartbeat, live);
          this.metrics.handleSeconds.observe({ ...this.labels(batch.topic), mode: 'batch' }, secondsSince(startedAt));
        },
      );
      resolveOffset(chunk[chunk.length - 1]!.original.offset);
      await heartbeat();
    };
    for (const message of batch.messages) {
      if (!live()) break;
      const original = originalOf(batch.topic, batch.partition, message);
      const decoded: Decoded = subscription && isBatch(subscription) ? decodeEvent(subscription.topic, original) : { ok: false, reason: 'unsubscribed topic', error: 'no subscription' };
      if (decoded.ok) {
        pending.push({ event: decoded.event, original });
        if (pending.length >= BATCH_CHUNK) await flush();
        continue;
      }
      await flush();
      await this.deadLetters.send(original, decoded.reason, decoded.error);
      resolveOffset(message.offset);
    }
    if (live()) await flush();
  }

  private handleChunk(
    subscription: BatchSubscription,
    chunk: { event: ConsumedEvent<unknown>; original: OriginalMessage }[],
    heartbeat: () => Promise<void>,
    live: () => boolean,
  ): Promise<void> {
    const { dataSource } = this.options;
    const { maxAttempts } = this.retryPolicy;
    return retryChunk(chunk, {
      policy: this.retryPolicy,
      handle: (events) => dataSource.transaction((manager) => subscription.handleBatch(events.map((c) => c.event) as ConsumedEvent<never>[], manager)),
      databaseReachable: () =>
        dataSource.query('SELECT 1').then(
          () => true,
          () => false,
        ),
      live,
      heartbeat,
      onHandled: (events) => this.metrics.events.inc({ ...this.labels(events[0]!.original.topic), outcome: 'handled' }, events.length),
      onFailure: ({ err, attempt, events, databaseReachable, retrying }) => {
        this.log.warn({ attempt, maxAttempts, events, databaseReachable, err: err.message }, 'batch handler failed');
        if (retrying) this.metrics.retries.inc(this.labels(chunk[0]!.original.topic));
      },
      giveUp: async (one, error) => void (await this.deadLetters.send(one.original, 'handler-failed', error.message)),
    });
  }
}
