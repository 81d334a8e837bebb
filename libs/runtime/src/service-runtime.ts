import type { Kafka } from 'kafkajs';
import type { DataSource, EntityManager, EntitySchema, MigrationInterface } from 'typeorm';
import { deadLetterTopicName, type ServiceName, type TopicDefinition } from '@telltale/contracts';
import { createServiceDataSource, messagingTablesMigration, runServiceMigrations, systemClock, type Clock } from '@telltale/db';
import { EventConsumer, OutboxRelay, OutboxWriter, createKafka, ensureTopics, type BatchSubscription, type Subscription } from '@telltale/kafka';
import { createLogger, type Logger } from '@telltale/telemetry';

export interface ServiceRuntimeOptions {
  service: ServiceName;
  /** Postgres schema owned by the service. */
  schema: string;
  databaseUrl: string;
  kafkaBrokers: string[];
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
}

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
  private readonly consumers: EventConsumer[] = [];
  private started = false;
  private consumersStarted = false;

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
    this.kafka = createKafka({ brokers: options.kafkaBrokers, clientId: `telltale-${options.service}`, logger: this.logger });
    this.outbox = new OutboxWriter(options.schema, options.topicPrefix ?? '');
    this.relay = new OutboxRelay({
      dataSource: this.dataSource,
      databaseUrl: options.databaseUrl,
      schema: options.schema,
      kafka: this.kafka,
      logger: this.logger,
    });
  }

  get service(): ServiceName {
    return this.options.service;
  }

  /** Registers a consumer; it starts with the runtime (or at once if the runtime already runs). */
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
    });
    this.consumers.push(consumer);
    return consumer;
  }

  async migrate(): Promise<string[]> {
    return runServiceMigrations(this.dataSource, this.options.schema);
  }

  async start(): Promise<void> {
    if (this.started) return;
    if (!this.dataSource.isInitialized) await this.dataSource.initialize();
    if (this.options.runMigrations) {
      const applied = await this.migrate();
      if (applied.length) this.logger.info({ migrations: applied }, 'migrations applied');
    }
    const topics = [
      ...this.options.producedTopics.map((t) => this.topicName(t)),
      ...this.consumers.flatMap((c) => c.deadLetterTopics),
      ...this.consumers.flatMap((c) => c.deadLetterTopics.map((d) => d.slice(0, d.indexOf('.dlq.')))),
    ];
    await ensureTopics(this.kafka, topics);
    await this.relay.start();
    this.started = true;
  }

  /** Starts the consumers and waits until each has joined its group. */
  async startConsumers(): Promise<void> {
    if (this.consumersStarted) return;
    this.consumersStarted = true;
    for (const consumer of this.consumers) await consumer.start();
    await Promise.all(this.consumers.map((c) => c.ready));
  }

  async stop(): Promise<void> {
    for (const consumer of this.consumers) await consumer.stop();
    await this.relay.stop();
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
