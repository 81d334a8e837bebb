import type { Producer } from 'kafkajs';
import { SpanKind, context, propagation, trace } from '@opentelemetry/api';
import type { OutgoingEvent } from './event-envelope';
import { contextFromHeaders } from './trace-propagation';

/** An event bound for a concrete topic (prefix included), as the outbox relay and direct producers send it. */
export type PublishableEvent = Pick<OutgoingEvent, 'eventId' | 'topic' | 'key' | 'payload' | 'headers'>;

/**
 * Sends events with `acks: -1` in one request, in the given order per topic (so per key). Each
 * event gets a producer span, child of the context its headers carry (e.g. the HTTP request that
 * caused it); the message carries the producer span on to the consumer. Throws when Kafka does not
 * take the batch: the caller keeps the events (outbox row, spill) and tries again later.
 */
export async function publishEvents(producer: Producer, events: readonly PublishableEvent[]): Promise<void> {
  if (events.length === 0) return;
  const tracer = trace.getTracer('@telltale/kafka');
  const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
  const spans = events.map((event) => {
    const span = tracer.startSpan(
      `${event.topic} publish`,
      { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': event.topic, 'messaging.message.id': event.eventId } },
      contextFromHeaders(event.headers),
    );
    const headers: Record<string, string> = { ...event.headers };
    propagation.inject(trace.setSpan(context.active(), span), headers);
    let messages = byTopic.get(event.topic);
    if (!messages) byTopic.set(event.topic, (messages = []));
    messages.push({ key: event.key, value: JSON.stringify(event.payload), headers });
    return span;
  });
  try {
    await producer.sendBatch({ acks: -1, topicMessages: [...byTopic.entries()].map(([topic, messages]) => ({ topic, messages })) });
  } finally {
    for (const span of spans) span.end();
  }
}
