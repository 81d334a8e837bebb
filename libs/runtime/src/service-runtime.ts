import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import type { DataSource, EntityManager, EntitySchema, MigrationInterface } from 'typeorm';
import { backoffDelayMs, deadLetterTopicName, type Backoff, type ServiceName, type TopicDefinition } from '@telltale/contracts';
import { createServiceDataSource, messagingTablesMigration, runServiceMigrations, systemClock, type Clock } from '@telltale/db';
import { ConsumerLagReader, EventConsumer, OutboxRelay, OutboxWriter, createKafka, ensureTopics, type BatchSubscription, type KafkaSecurity, type Subscription } from '@telltale/kafka';
import { createMetricsRegistry, gauge, type Registry } from '@telltale/metrics';
import { createLogger, type Logger } from '@telltale/telemetry';
import type { CallerGuardSettings } from './identity/caller.guard';

export interface ServiceRuntimeOptions {
  service: ServiceName;
  /** Postgres schema owned by the service. */
  schema: string;
  databaseUrl: string;
  kafkaBrokers: string[];
  /** TLS and SASL to the brokers (`kafkaClientSecurity(config)`); absent, plaintext. */
  kafkaSecurity?: KafkaSecurity;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: (Function | EntitySchema)[];
  /** The service's own migrations; the outbox/processed-event tables are added first. */
  migrations: (new () => MigrationInterface)[];
  producedTopics: readonly TopicDefinition[];
  runMigrations: boolean;
  logger?: Logger;
  logLevel?: string;
  clock?: Clock;
  /** Lets several test instances share one broker without sharing consumer groups. */
  consumerGroupSuffix?: string;
  /** Prefix of every topic and consumer group (KAFKA_TOPIC_PREFIX), for shared clusters and test isolation. */
  topicPrefix?: string;
  /**
   * Whether start-up waits for Kafka (topics ensured, relay connected) and for the consumers to
   * join their groups. Default true. The tracker sets false: its pixel must answer even when it
   * starts during a Kafka outage (it spills hits to disk); topics, relay and consumers are then
   * brought up in the background as soon as Kafka answers.
   */
  kafkaRequiredAtStart?: boolean;
  /** Who may call the service's routes (`callerGuardSettings(config)`); absent, only public routes answer. */
  identity?: CallerGuardSettings;
}

/** Between attempts of a start-up in the background (Kafka away at start). */
const BACKGROUND_START_BACKOFF: Backoff = { initialMs: 500, maxMs: 5_000 };

/**
 * What every Telltale service holds: its data source, Kafka client, outbox writer and relay, and its
 * consumers. Owns start-up order (migrations → topics → relay → consumers) and shutdown.
 */
export class ServiceRuntime {
  readonly logger: Logger;
  readonly dataSource: DataSource;
  readonly kafka: Kafka;
  readonly outbox: OutboxWriter;
  readonly relay: OutboxRelay;
  readonly clock: Clock;
  /** The service's Prometheus metrics, served on METRICS_PORT by startService. */
  readonly metrics: Registry = createMetricsRegistry();
  private readonly consumers: EventConsumer[] = [];
  /** Reads consumer offsets for the lag gauge; connects on the first scrape. */
  private readonly lagReader: ConsumerLagReader;
  private started = false;
  private consumersStarted = false;
  /** Topics ensured and relay running; in the background when Kafka is not required at start. */
  private kafkaUp: Promise<void> | null = null;
  private stopping = false;
  private readonly backgroundAborts = new Set<AbortController>();

  constructor(readonly options: ServiceRuntimeOptions) {
    this.logger = options.logger ?? createLogger({ service: options.service, level: options.logLevel });
    this.clock = options.clock ?? systemClock;
    this.dataSource = createServiceDataSource({
      url: options.databaseUrl,
      schema: options.schema,
      entities: options.entities,
      migrations: [messagingTablesMigration(options.schema), ...options.migrations],
      applicationName: `telltale-${options.service}`,
    });
    this.kafka = createKafka({ brokers: options.kafkaBrokers, clientId: `telltale-${options.service}`, logger: this.logger, security: options.kafkaSecurity });
    this.outbox = new OutboxWriter(options.schema, options.topicPrefix ?? '');
    this.relay = new OutboxRelay({
      dataSource: this.dataSource,
      databaseUrl: options.databaseUrl,
      schema: options.schema,
      kafka: this.kafka,
      logger: this.logger,
      metrics: this.metrics,
    });
    this.lagReader = new ConsumerLagReader({ brokers: options.kafkaBrokers, clientId: `telltale-${options.service}-metrics`, logger: this.logger, security: options.kafkaSecurity });
    const runtime = this;
    gauge(this.metrics, {
      name: 'telltale_kafka_consumer_lag',
      help: "Events a consumer group is behind on a partition (end offset minus the group's committed offset), read from Kafka at scrape time.",
      labelNames: ['consumer', 'topic', 'partition'],
      async collect() {
        const running = runtime.consumersStarted && !runtime.stopping;
        const readings = running ? await runtime.lagReader.read(runtime.consumers) : [];
        this.reset();
        for (const { consumer, lags } of readings) {
          for (const { topic, partition, lag } of lags) this.set({ consumer, topic, partition: String(partition) }, lag);
        }
      },
    });
  }

  /** The settings of the guard every route passes (RuntimeModule). */
  get callerGuard(): CallerGuardSettings {
    return this.options.identity ?? { verifier: null, internalCallers: new Map() };
  }

  /** For a service's own Kafka clients beside the runtime's (the tracker's produce worker). */
  get kafkaSecurity(): KafkaSecurity | undefined {
    return this.options.kafkaSecurity;
  }

  get service(): ServiceName {
    return this.options.service;
  }

  /**
   * Registers a consumer, started by startConsumers. The Kafka event transport's (KafkaEventTransport):
   * services declare `@EventPattern` handlers instead. The name (with consumerGroupSuffix) makes the
   * group id `telltale.<service>.<name>` and the dedupe key `<service>.<name>`.
   */
  addConsumer(subscriptions: (Subscription | BatchSubscription)[], name?: string): EventConsumer {
    const suffix = this.options.consumerGroupSuffix;
    const consumer = new EventConsumer({
      service: this.options.service,
      name: [name, suffix].filter(Boolean).join('.') || undefined,
      kafka: this.kafka,
      dataSource: this.dataSource,
      schema: this.options.schema,
      subscriptions,
      logger: this.logger,
      topicPrefix: this.options.topicPrefix ?? '',
      metrics: this.metrics,
    });
    this.consumers.push(consumer);
    return consumer;
  }

  async migrate(): Promise<string[]> {
    return runServiceMigrations(this.dataSource, this.options.schema);
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.stopping = false;
    if (!this.dataSource.isInitialized) await this.dataSource.initialize();
    if (this.options.runMigrations) {
      const applied = await this.migrate();
      if (applied.length) this.logger.info({ migrations: applied }, 'migrations applied');
    }
    const bringUpKafka = async (): Promise<void> => {
      const topics = [
        ...this.options.producedTopics.map((t) => this.topicName(t)),
      ];
      await ensureTopics(this.kafka, topics);
      try {
        await this.relay.start();
      } catch (err) {
        // Half started (producer connected, listener not): leave nothing behind for the retry.
        await this.relay.stop();
        throw err;
      }
    };
    if (this.options.kafkaRequiredAtStart === false) {
      this.kafkaUp = this.untilStopped(bringUpKafka, 'Kafka not reachable at start; serving without it and retrying', () => this.relay.stop());
      this.kafkaUp.catch(() => undefined);
    } else {
      this.kafkaUp = bringUpKafka();
      await this.kafkaUp;
    }
    this.started = true;
  }

  /**
   * Ensures the consumed topics and their dead-letter topics, starts the consumers and waits until
   * each has joined its group; when Kafka is not required at start, they start (and join) in the
   * background once Kafka answers.
   */
  async startConsumers(): Promise<void> {
    if (this.consumersStarted) return;
    this.consumersStarted = true;
    const running = new Set<EventConsumer>();
    const startAll = async (): Promise<void> => {
      await this.kafkaUp;
      if (this.consumers.length > 0) await ensureTopics(this.kafka, this.consumers.flatMap((c) => [...c.topics, ...c.deadLetterTopics]));
      for (const consumer of this.consumers) {
        if (this.stopping) return;
        if (running.has(consumer)) continue;
        await consumer.start();
        running.add(consumer);
      }
    };
    if (this.options.kafkaRequiredAtStart === false) {
      void this.untilStopped(startAll, 'consumers not started; retrying').catch(() => undefined);
      return;
    }
    await startAll();
    await Promise.all(this.consumers.map((c) => c.ready));
  }

  /**
   * Runs `work` until it succeeds, backing off up to 5 s (a tracker spilling to disk wants Kafka
   * back soon, and an attempt is one connection); rejects only once the runtime stops.
   * `undo` runs when the work succeeds after the stop began (so nothing is left running).
   */
  private async untilStopped(work: () => Promise<void>, warning: string, undo?: () => Promise<void>): Promise<void> {
    const abort = new AbortController();
    this.backgroundAborts.add(abort);
    try {
      for (let attempt = 0; ; attempt++) {
        if (this.stopping) throw new Error('runtime stopped');
        try {
          await work();
        } catch (err) {
          if (this.stopping) throw err;
          this.logger.warn({ err: (err as Error).message, attempt: attempt + 1 }, warning);
          await sleep(backoffDelayMs(attempt + 1, BACKGROUND_START_BACKOFF), undefined, { signal: abort.signal });
          continue;
        }
        if (this.stopping) {
          await undo?.();
          throw new Error('runtime stopped');
        }
        if (attempt > 0) this.logger.info('Kafka reachable; background start-up done');
        return;
      }
    } finally {
      this.backgroundAborts.delete(abort);
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const abort of this.backgroundAborts) abort.abort();
    for (const consumer of this.consumers) await consumer.stop();
    await this.relay.stop();
    await this.lagReader.stop();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    this.started = false;
    this.consumersStarted = false;
  }

  isReady(): boolean {
    return this.started && this.dataSource.isInitialized;
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** The topic's name on this cluster (with KAFKA_TOPIC_PREFIX). */
  topicName(topic: TopicDefinition): string {
    return (this.options.topicPrefix ?? '') + topic.name;
  }

  deadLetterTopic(topic: TopicDefinition): string {
    return deadLetterTopicName(this.topicName(topic), this.options.service);
  }
}
