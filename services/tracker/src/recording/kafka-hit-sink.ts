import type { Kafka, Producer } from 'kafkajs';
import { ROOT_CONTEXT, context, propagation } from '@opentelemetry/api';
import { trackingEngagementTopic } from '@telltale/contracts';
import { buildEvent, publishEvents, type PublishableEvent } from '@telltale/kafka';
import type { HitRecord } from './hit-record';
import type { HitSink } from './hit-recorder';

/** Hits turned into events between two yields to the event loop. */
const BUILD_SLICE = 50;
const yieldToRequests = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The hit path's only write (ADR 0005): each batch is produced straight to `tracking.engagement.v1`
 * (acks from all in-sync replicas, idempotent producer, one batch in flight, so arrival order is
 * Kafka order per email). No database on the way: the engagement store consumes the topic like any
 * other consumer. A batch Kafka does not take makes this throw, and the recorder spills it.
 * The engagement id is the event id, so a batch sent twice (a spill replayed after a crash) is a
 * duplicate every consumer recognises.
 */
export class KafkaHitSink implements HitSink {
  private producer: Promise<Producer> | null = null;

  constructor(
    private readonly kafka: Kafka,
    /** The topic's full name (KAFKA_TOPIC_PREFIX included). */
    private readonly topic: string,
  ) {}

  async write(batch: readonly HitRecord[]): Promise<void> {
    if (batch.length === 0) return;
    // Built in slices, yielding between them, so pixel requests keep being answered meanwhile:
    // validating and serialising a whole batch in one go would stall the event loop for
    // milliseconds, which is what the pixel's p99 latency is made of.
    const events: PublishableEvent[] = [];
    for (let i = 0; i < batch.length; i += BUILD_SLICE) {
      if (i > 0) await yieldToRequests();
      for (const hit of batch.slice(i, i + BUILD_SLICE)) {
        // Each event carries the trace of the request that caused it, not of this flush.
        const event = context.with(propagation.extract(ROOT_CONTEXT, hit.traceHeaders), () =>
          buildEvent(trackingEngagementTopic, hit.engagement, { orgId: hit.engagement.orgId, eventId: hit.engagement.engagementId, occurredAt: new Date(hit.engagement.occurredAt) }),
        );
        events.push({ ...event, topic: this.topic });
      }
    }
    const producer = await this.connected();
    try {
      await publishEvents(producer, events);
    } catch (err) {
      // A fresh producer for the next attempt: kafkajs does not always recover one whose broker
      // went away mid-request.
      await this.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    await producer?.then((p) => p.disconnect()).catch(() => undefined);
  }

  private connected(): Promise<Producer> {
    if (!this.producer) {
      // Few, short retries: while Kafka is away the recorder's spill is the better place to wait.
      const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 } });
      const connecting = producer.connect().then(() => producer);
      this.producer = connecting;
      connecting.catch(() => {
        if (this.producer === connecting) this.producer = null;
      });
    }
    return this.producer;
  }
}
