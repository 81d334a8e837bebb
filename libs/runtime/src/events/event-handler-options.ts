/**
 * The extras of an `@EventPattern(topicName, extras)` handler on the Kafka event transport.
 *
 * - `consumer`: the consumer (group) the handler belongs to; a service's handlers without one share
 *   the service's group (`telltale.<service>`), a named one is `telltale.<service>.<consumer>` and
 *   records processed events as `<service>.<consumer>`. Separate groups keep one topic from waiting
 *   behind another's slow events.
 * - `batch`: the handler takes the events of a fetched batch at once, `ConsumedEvent[]` in partition
 *   order, one transaction per chunk, with no processed-event records: it must be idempotent by
 *   itself. A consumer's handlers are all batch or all per-event.
 */
export interface EventHandlerOptions {
  consumer?: string;
  batch?: boolean;
}

const CONSUMER_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** The extras read as EventHandlerOptions; a clear error for anything else (unknown keys, bad names). */
export function eventHandlerOptions(topicName: string, extras: Record<string, unknown> | undefined): EventHandlerOptions {
  const { consumer, batch, ...unknown } = extras ?? {};
  const where = `@EventPattern('${topicName}')`;
  if (Object.keys(unknown).length > 0) throw new Error(`${where}: unknown option(s) ${Object.keys(unknown).join(', ')} (consumer, batch)`);
  if (consumer !== undefined && (typeof consumer !== 'string' || !CONSUMER_NAME.test(consumer))) {
    throw new Error(`${where}: consumer must be a lower-case name (letters, digits, dashes), it is part of the group id`);
  }
  if (batch !== undefined && typeof batch !== 'boolean') throw new Error(`${where}: batch must be true or false`);
  return { consumer, batch };
}
