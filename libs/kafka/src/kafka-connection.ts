import { setTimeout as delay } from 'node:timers/promises';
import { Kafka, logLevel, type KafkaConfig, type LogEntry, type RetryOptions } from 'kafkajs';
import { silenceKnownWarnings, type Logger } from '@telltale/telemetry';

/** The SASL mechanisms a service may use (KAFKA_SASL_MECHANISM). */
export const KAFKA_SASL_MECHANISMS = ['scram-sha-256', 'scram-sha-512', 'plain'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/**
 * How a client reaches the brokers beyond plain TCP (KAFKA_SSL*, KAFKA_SASL*). Plain data, so it
 * can be handed to a worker thread. Absent: plaintext and unauthenticated.
 */
export interface KafkaSecurity {
  /** TLS. `ca` is PEM text (the system's CAs when absent); `rejectUnauthorized: false` skips verification. */
  ssl?: { ca?: string; rejectUnauthorized: boolean };
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
}

export interface KafkaConnectionOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  security?: KafkaSecurity;
  /**
   * Connection retries (default: 8, up to 5 s apart, so a connect gives up after ~20 s). A client
   * with a better place to wait than a retry loop (the tracker's disk spill) passes fewer.
   */
  retry?: RetryOptions;
}

const KNOWN_NOTICES = ['KafkaJS v2.0.0 switched default partitioner', 'Limiting retries for the idempotent producer'];

/** One kafkajs client per service, logging through the service's JSON logger. */
export function createKafka(options: KafkaConnectionOptions): Kafka {
  silenceKnownWarnings();
  const log = options.logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    ...kafkaSecurityOptions(options.security),
    logLevel: logLevel.WARN,
    retry: options.retry ?? { initialRetryTime: 200, retries: 8, maxRetryTime: 5_000 },
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        const fields = { namespace: rest.namespace, broker: rest.broker, error: rest.error };
        // Known start-up notices that need no action: we choose the default partitioner on purpose,
        // and bounded producer retries are deliberate (delivery is at-least-once into idempotent
        // consumers; the outbox keeps what could not be sent).
        if (KNOWN_NOTICES.some((notice) => message.startsWith(notice))) log.debug(fields, message);
        else if (level === logLevel.ERROR) log.error(fields, message);
        else if (level === logLevel.WARN) log.warn(fields, message);
        else log.debug(fields, message);
      },
  });
}

/** kafkajs's `ssl` and `sasl` options for a KafkaSecurity (nothing for plaintext). */
export function kafkaSecurityOptions(security: KafkaSecurity | undefined): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const options: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (security?.ssl) {
    const { ca, rejectUnauthorized } = security.ssl;
    options.ssl = ca === undefined ? { rejectUnauthorized } : { ca, rejectUnauthorized };
  }
  if (security?.sasl) {
    const { mechanism, username, password } = security.sasl;
    // One literal per branch: kafkajs types each mechanism's options separately.
    options.sasl =
      mechanism === 'plain'
        ? { mechanism, username, password }
        : mechanism === 'scram-sha-256'
          ? { mechanism, username, password }
          : { mechanism, username, password };
  }
  return options;
}

/** Creates missing topics (idempotent). Single-node local brokers need replication factor 1. */
export async function ensureTopics(
  kafka: Kafka,
  topics: readonly string[],
  options: { partitions?: number; replicationFactor?: number } = {},
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const wanted = [...new Set(topics)];
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      // Leaders are waited for below, with retries: kafkajs's own wait (waitForLeaders) throws
      // UNKNOWN_TOPIC_OR_PARTITION when the broker's metadata lags the creation (seen on fresh brokers).
      await admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((topic) => ({
          topic,
          numPartitions: options.partitions ?? 3,
          replicationFactor: options.replicationFactor ?? Number(process.env.KAFKA_REPLICATION_FACTOR ?? 1),
        })),
      });
    }
    // A topic that was just created may not be in every broker's metadata yet; a producer or
    // consumer that asks too early gets UNKNOWN_TOPIC_OR_PARTITION. Wait until all have leaders.
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const { topics: meta } = await admin.fetchTopicMetadata({ topics: wanted });
        if (meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
      }
      if (Date.now() > deadline) throw new Error(`topics have no leaders after 30 s: ${wanted.join(', ')}`);
      await delay(200);
    }
  } finally {
    await admin.disconnect();
  }
}
