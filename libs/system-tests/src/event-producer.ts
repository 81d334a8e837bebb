import type { Kafka, Producer } from 'kafkajs';
import type { PayloadOf, TopicDefinition } from '@telltale/contracts';
import { buildEvent } from '@telltale/kafka';

/**
 * Produces validated events the way a service's outbox relay would (same headers, same key), for
 * tests and benchmarks that play the part of an upstream service.
 */
export class EventProducer {
  private producer: Producer | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly topicPrefix: string,
  ) {}

  async start(): Promise<void> {
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false });
    await this.producer.connect();
  }

  async stop(): Promise<void> {
    await this.producer?.disconnect();
    this.producer = null;
  }

  /** Returns the event id (the consumers' dedupe key, also in their `processed_event`); the same `eventId` again is a redelivery. */
  async produce<T extends TopicDefinition>(topic: T, payload: PayloadOf<T>, orgId: string, meta: { eventId?: string } = {}): Promise<string> {
    if (!this.producer) throw new Error('EventProducer.start() first');
    const event = buildEvent(topic, payload, { orgId, eventId: meta.eventId });
    await this.producer.send({
      topic: this.topicPrefix + event.topic,
      acks: -1,
      messages: [{ key: event.key, value: JSON.stringify(event.payload), headers: event.headers }],
    });
    return event.eventId;
  }
}
