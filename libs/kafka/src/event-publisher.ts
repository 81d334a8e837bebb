import type { Producer } from 'kafkajs';
import { SpanKind, context, propagation, trace } from '@opentelemetry/api';
import type { OutgoingEvent } from './event-envelope';
import { contextFromHeaders } from './trace-propagation';

/** An event bound for a concrete topic (prefix included), as the outbox relay and direct producers send it. */
export type PublishableEvent = Pick<OutgoingEvent, 'eventId' | 'topic' | 'key' | 'payload' | 'headers'>;

/** Producer spans for events about to be sent, and the headers that carry each span to consumers. */
export interface PublishSpans {
  /** Per event, in order: its headers plus the producer span's trace context. */
  headers: Record<string, string>[];
  end(): void;
}

/**
 * One producer span per event, child of the context its headers carry (e.g. the HTTP request that
 * caused it). Separate from sending so a process can open the spans where its tracing runs and hand
 * the send to a worker thread.
 */
export function startPublishSpans(events: readonly Pick<PublishableEvent, 'eventId' | 'topic' | 'headers'>[]): PublishSpans {
  const tracer = trace.getTracer('@telltale/kafka');
  const spans = events.map((event) =>
    tracer.startSpan(
      `${event.topic} publish`,
      { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': event.topic, 'messaging.message.id': event.eventId } },
      contextFromHeaders(event.headers),
    ),
  );
  return {
    headers: events.map((event, i) => {
      const headers: Record<string, string> = { ...event.headers };
      propagation.inject(trace.setSpan(context.active(), spans[i]!), headers);
      return headers;
    }),
    end: () => {
      for (const span of spans) span.end();
    },
  };
}

/**
 * Sends events with `acks: -1` in one request, in the given order per topic (so per key), each
 * with a producer span (startPublishSpans). Throws when Kafka does not take the batch: the caller
 * keeps the events (outbox row, spill) and tries again later.
 */
export async function publishEvents(producer: Producer, events: readonly PublishableEvent[]): Promise<void> {
  if (events.length === 0) return;
  const spans = startPublishSpans(events);
  const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
  events.forEach((event, i) => {
    let messages = byTopic.get(event.topic);
    if (!messages) byTopic.set(event.topic, (messages = []));
    messages.push({ key: event.key, value: JSON.stringify(event.payload), headers: spans.headers[i]! });
  });
  try {
    await producer.sendBatch({ acks: -1, topicMessages: [...byTopic.entries()].map(([topic, messages]) => ({ topic, messages })) });
  } finally {
    spans.end();
  }
}
