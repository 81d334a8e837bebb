import type { Admin } from 'kafkajs';
import { counter, histogram, type Counter, type Histogram, type Registry } from '@telltale/metrics';
import type { EventConsumer } from './event-consumer';
import { createKafka, type KafkaConnectionOptions } from './kafka-connection';

/** Instruments of every EventConsumer of a service; labels are the consumer's name and the topic (no prefix). */
export interface ConsumerMetrics {
  /** Events by how they ended: handled, duplicate (seen before) or dead_lettered. */
  events: Counter<'consumer' | 'topic' | 'outcome'>;
  /** Handler attempts that failed and were tried again. */
  retries: Counter<'consumer' | 'topic'>;
  /** Events sent to `<topic>.dlq.<service>`, by reason (invalid, handler_failed, unsubscribed_topic). */
  deadLetters: Counter<'consumer' | 'topic' | 'reason'>;
  /** Time from taking an event (or a batch chunk) to its outcome, retries included. */
  handleSeconds: Histogram<'consumer' | 'topic' | 'mode'>;
}

export function consumerMetrics(registry: Registry): ConsumerMetrics {
  return {
    events: counter(registry, {
      name: 'telltale_kafka_consumed_events_total',
      help: 'Events taken by a consumer, by outcome: handled, duplicate (already processed) or dead_lettered.',
      labelNames: ['consumer', 'topic', 'outcome'],
    }),
    retries: counter(registry, {
      name: 'telltale_kafka_handler_retries_total',
      help: 'Handler attempts that failed and were retried (per event, or per batch chunk).',
      labelNames: ['consumer', 'topic'],
    }),
    deadLetters: counter(registry, {
      name: 'telltale_kafka_dead_letters_total',
      help: 'Events sent to the dead-letter topic, by reason (invalid, handler_failed, unsubscribed_topic).',
      labelNames: ['consumer', 'topic', 'reason'],
    }),
    handleSeconds: histogram(registry, {
      name: 'telltale_kafka_handle_duration_seconds',
      help: 'Time to handle one event (mode=event) or one batch chunk (mode=batch), retries included.',
      labelNames: ['consumer', 'topic', 'mode'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    }),
  };
}

export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

/**
 * How far a consumer group is behind, per partition: the partition's end offset (high watermark)
 * minus the group's committed offset; a partition the group never committed counts from the log
 * start (consumers read from the beginning). Two admin requests per topic: cheap at scrape time.
 */
export async function consumerGroupLag(admin: Admin, groupId: string, topics: string[]): Promise<PartitionLag[]> {
  const committed = await admin.fetchOffsets({ groupId, topics });
  const lags: PartitionLag[] = [];
  for (const { topic, partitions } of committed) {
    const ends = await admin.fetchTopicOffsets(topic);
    for (const end of ends) {
      const at = partitions.find((p) => p.partition === end.partition)?.offset;
      const from = at === undefined || Number(at) < 0 ? Number(end.low) : Number(at);
      lags.push({ topic, partition: end.partition, lag: Math.max(0, Number(end.high) - from) });
    }
  }
  return lags;
}

/** How long a scrape waits for the consumer lag before answering without it (Kafka away). */
const LAG_READ_TIMEOUT_MS = 2_000;

/**
 * Reads the lag of a service's consumers for its scrapes: one read at a time, answered within
 * LAG_READ_TIMEOUT_MS or not at all (no lag series then, rather than a hanging scrape while Kafka is
 * away). Its own Kafka client gives up connecting after ~1 s, so a scrape never leaves a connect
 * retrying behind it (nor holds up a stop); the next scrape tries again.
 */
export class ConsumerLagReader {
  private admin: Promise<Admin> | null = null;
  private connected: Admin | null = null;
  private reading: Promise<{ consumer: string; lags: PartitionLag[] }[]> | null = null;
  private stopped = false;

  constructor(private readonly options: Pick<KafkaConnectionOptions, 'brokers' | 'clientId' | 'logger' | 'security'>) {}

  read(consumers: readonly EventConsumer[]): Promise<{ consumer: string; lags: PartitionLag[] }[]> {
    if (consumers.length === 0) return Promise.resolve([]);
    this.stopped = false;
    this.reading ??= (async () => {
      try {
        const admin = await this.connect();
        return await Promise.all(consumers.map(async (c) => ({ consumer: c.metricsName, lags: await c.lag(admin) })));
      } finally {
        this.reading = null;
      }
    })();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${LAG_READ_TIMEOUT_MS} ms`)), LAG_READ_TIMEOUT_MS);
      timer.unref();
    });
    return Promise.race([this.reading, timeout])
      .catch((err: unknown) => {
        this.options.logger.debug({ err: (err as Error).message }, 'consumer lag not read');
        return [];
      })
      .finally(() => clearTimeout(timer));
  }

  /** Disconnects a connected client; one still connecting disconnects itself when it gets there. */
  async stop(): Promise<void> {
    this.stopped = true;
    const connected = this.connected;
    this.admin = null;
    this.connected = null;
    await connected?.disconnect().catch(() => undefined);
  }

  private connect(): Promise<Admin> {
    this.admin ??= (async () => {
      const admin = createKafka({ ...this.options, retry: { initialRetryTime: 200, retries: 1, maxRetryTime: 1_000 } }).admin();
      await admin.connect();
      if (this.stopped) {
        await admin.disconnect();
        throw new Error('stopped');
      }
      this.connected = admin;
      return admin;
    })().catch((err: unknown) => {
      this.admin = null;
      throw err;
    });
    return this.admin;
  }
}
