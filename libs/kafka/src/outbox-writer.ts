import type { EntityManager } from 'typeorm';
import type { PayloadOf, TopicDefinition } from '@telltale/contracts';
import { buildEvent, type EventMeta } from './event-envelope';

/**
 * Writes events into the service's outbox table inside the caller's transaction, so a state change
 * and the events it causes commit (or roll back) together. The relay publishes them afterwards.
 */
export class OutboxWriter {
  /** `topicPrefix` namespaces every topic on a shared cluster (KAFKA_TOPIC_PREFIX). */
  constructor(
    private readonly schema: string,
    private readonly topicPrefix = '',
  ) {}

  async enqueue<T extends TopicDefinition>(manager: EntityManager, topic: T, payload: PayloadOf<T>, meta: EventMeta): Promise<string> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('OutboxWriter.enqueue must run inside a transaction');
    }
    const event = buildEvent(topic, payload, meta);
    await manager.query(
      `INSERT INTO "${this.schema}".outbox (event_id, topic, message_key, payload, headers) VALUES ($1, $2, $3, $4, $5)`,
      [event.eventId, this.topicPrefix + event.topic, event.key, JSON.stringify(event.payload), JSON.stringify(event.headers)],
    );
    return event.eventId;
  }
}
