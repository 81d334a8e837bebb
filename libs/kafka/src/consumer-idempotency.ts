import type { DataSource } from 'typeorm';
import type { ConsumedEvent, Subscription } from './consumed-event';

/**
 * Handles an event at most once per consumer: one transaction records the event id in
 * `<schema>.processed_event` under the consumer's name (`<service>[.<name>]`, the dedupe key) and
 * runs the handler with the same entity manager, so the record, the effect and any outbox rows
 * commit together or not at all. False when the id was already recorded (the handler is not called).
 */
export function handleOnce(dataSource: DataSource, schema: string, consumerName: string, event: ConsumedEvent<unknown>, subscription: Subscription): Promise<boolean> {
  return dataSource.transaction(async (manager) => {
    const inserted = (await manager.query(
      `INSERT INTO "${schema}".processed_event (consumer, event_id, topic) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [consumerName, event.eventId, event.topic],
    )) as unknown[];
    if (inserted.length === 0) return false;
    await subscription.handle(event as ConsumedEvent<never>, manager);
    return true;
  });
}
