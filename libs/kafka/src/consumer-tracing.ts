import { SpanKind, SpanStatusCode, context, trace, type Link } from '@opentelemetry/api';
import type { OriginalMessage, Outcome } from './consumed-event';
import { contextFromHeaders } from './trace-propagation';

const tracer = () => trace.getTracer('@telltale/kafka');

/**
 * Handles one message in a consumer span that continues the producer's trace (W3C `traceparent`
 * in its headers), so one trace runs from the request through the produce to the handler.
 */
export function inEventSpan(original: OriginalMessage, groupId: string, work: () => Promise<Outcome>): Promise<Outcome> {
  return context.with(contextFromHeaders(original.headers), () =>
    tracer().startActiveSpan(
      `${original.topic} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.destination.name': original.topic,
          'messaging.consumer.group.name': groupId,
          'messaging.kafka.message.offset': original.offset,
          'messaging.destination.partition.id': String(original.partition),
        },
      },
      async (span) => {
        try {
          const outcome = await work();
          span.setAttribute('telltale.outcome', outcome.kind);
          if (outcome.kind === 'dead-lettered') span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.reason });
          return outcome;
        } finally {
          span.end();
        }
      },
    ),
  );
}

/** Handles a chunk of a batch in one consumer span, linked to the trace of each of its events. */
export function inBatchSpan(topic: string, partition: number, chunk: readonly OriginalMessage[], groupId: string, work: () => Promise<void>): Promise<void> {
  const links: Link[] = chunk.map((original) => ({ context: trace.getSpanContext(contextFromHeaders(original.headers))! })).filter((l) => l.context !== undefined);
  return tracer().startActiveSpan(
    `${topic} process`,
    {
      kind: SpanKind.CONSUMER,
      links,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.destination.name': topic,
        'messaging.consumer.group.name': groupId,
        'messaging.batch.message_count': chunk.length,
        'messaging.destination.partition.id': String(partition),
      },
    },
    async (span) => {
      try {
        await work();
      } finally {
        span.end();
      }
    },
  );
}
