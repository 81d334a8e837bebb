import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';

/**
 * `metadata`: the cluster answers and has a broker (enough for a cluster someone else runs).
 * `writable`: also, for a broker we started, a topic can be created, written by an idempotent
 * producer and deleted, and the group coordinator answers. A fresh KRaft broker accepts connections
 * before its controller has registered it, and creates __transaction_state and __consumer_offsets
 * only on first use; until they are loaded, InitProducerId and group requests fail with
 * COORDINATOR_LOAD_IN_PROGRESS, which services starting right after us would see as errors.
 */
export type KafkaReadiness = 'metadata' | 'writable';

/** `security`: TLS and SASL options, for a broker that requires them (a secured local broker). */
export async function probeKafka(brokers: string[], readiness: KafkaReadiness, security: Pick<KafkaConfig, 'ssl' | 'sasl'> = {}): Promise<true> {
  const kafka = new Kafka({
    clientId: 'telltale-infrastructure-probe',
    brokers,
    ...security,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) throw new Error('no broker registered yet');
    if (readiness === 'writable') await exerciseBroker(kafka, admin);
    return true;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function exerciseBroker(kafka: Kafka, admin: ReturnType<Kafka['admin']>): Promise<void> {
  const topic = `telltale-readiness-probe-${randomBytes(4).toString('hex')}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  try {
    // InitProducerId goes to the transaction coordinator, loading __transaction_state.
    // kafkajs refuses an idempotent producer without retries; the probe as a whole is retried anyway.
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry: { retries: 2, initialRetryTime: 100 },
    });
    await producer.connect();
    try {
      await producer.send({ topic, messages: [{ value: 'probe' }] });
    } finally {
      await producer.disconnect();
    }
    // FindCoordinator for a group loads __consumer_offsets.
    await admin.fetchOffsets({ groupId: `${topic}-group`, topics: [topic] });
  } finally {
    await admin.deleteTopics({ topics: [topic] });
  }
}
