import type { Kafka, Producer } from 'kafkajs';
import { deadLetterTopicName, type ServiceName } from '@telltale/contracts';
import type { Logger } from '@telltale/telemetry';
import type { OriginalMessage, Outcome } from './consumed-event';
import type { ConsumerMetrics } from './consumer-metrics';

/**
 * Sends what a consumer gives up on to `<topic>.dlq.<service>`: the original key and value, its
 * headers, and why (reason, error, where it came from, which group, when). Counts dead letters.
 */
export class DeadLetterProducer {
  private producer: Producer | null = null;

  constructor(
    private readonly options: {
      kafka: Kafka;
      service: ServiceName;
      groupId: string;
      log: Logger;
      metrics: ConsumerMetrics;
      labels: (topic: string) => { consumer: string; topic: string };
    },
  ) {}

  async connect(): Promise<void> {
    this.producer = this.options.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await this.producer.connect();
  }

  async disconnect(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    await producer?.disconnect().catch(() => undefined);
  }

  async send(original: OriginalMessage, reason: string, error: string): Promise<Outcome> {
    const dlq = deadLetterTopicName(original.topic, this.options.service);
    this.options.log.error({ topic: original.topic, dlq, reason, error, offset: original.offset }, 'message dead-lettered');
    if (!this.producer) throw new Error('consumer stopped');
    // If this send fails the error propagates, the offset is not committed and Kafka redelivers:
    // a message is never dropped on the floor.
    await this.producer.send({
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
            'dlq-consumer': this.options.groupId,
            'dlq-failed-at': new Date().toISOString(),
          },
        },
      ],
    });
    const labels = this.options.labels(original.topic);
    this.options.metrics.deadLetters.inc({ ...labels, reason: reason.replace(/[^a-z]+/g, '_') });
    this.options.metrics.events.inc({ ...labels, outcome: 'dead_lettered' });
    return { kind: 'dead-lettered', reason };
  }
}
