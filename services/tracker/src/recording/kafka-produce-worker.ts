import { parentPort, workerData } from 'node:worker_threads';
import type { Producer } from 'kafkajs';
import { trackingEngagementTopic } from '@telltale/contracts';
import { buildEvent, createKafka, type KafkaSecurity } from '@telltale/kafka';
import { createLogger } from '@telltale/telemetry';
import { decodeHitLines } from './encoded-hits';
import type { HitRecord } from './hit-record';

/** What the tracker hands its produce worker at start. */
export interface ProduceWorkerOptions {
  brokers: string[];
  clientId: string;
  /** The topic's full name (KAFKA_TOPIC_PREFIX included). */
  topic: string;
  logLevel: string;
  /** TLS and SASL, as the service's own clients use them. */
  security?: KafkaSecurity;
}

/** A batch to produce; each hit's trace headers already carry its producer span (opened by the caller). */
export type ProduceRequest =
  | { id: number; kind: 'produce'; hits: HitRecord[] }
  /** The hits as JSON lines (EncodedHits), with no trace headers to add. */
  | { id: number; kind: 'produce-lines'; lines: Uint8Array }
  | { id: number; kind: 'stop' };
export interface ProduceReply {
  id: number;
  error: string | null;
}

/**
 * The tracker's Kafka producer, on its own thread (ADR 6): validating, serialising and encoding
 * hit events costs about as much as answering the pixel, so it runs beside the event loop that
 * answers requests instead of on it. One request at a time, in order (the recorder sends one batch
 * at a time), so arrival order stays Kafka order per email.
 */
function runWorker(port: NonNullable<typeof parentPort>, options: ProduceWorkerOptions): void {
  // Few, short retries, for connecting as for producing: while Kafka is away the recorder's disk
  // spill is the better place for hits to wait (with the default retries a connect took ~20 s to
  // fail, hits waiting in memory all that time).
  const retry = { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 };
  const kafka = createKafka({ brokers: options.brokers, clientId: options.clientId, security: options.security, logger: createLogger({ service: 'tracker', level: options.logLevel }), retry });
  let producer: Promise<Producer> | null = null;
  const connected = (): Promise<Producer> => {
    if (!producer) {
      const created = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, retry });
      const connecting = created.connect().then(() => created);
      producer = connecting;
      connecting.catch(() => {
        if (producer === connecting) producer = null;
      });
    }
    return producer;
  };
  const disconnect = async (): Promise<void> => {
    const current = producer;
    producer = null;
    await current?.then((p) => p.disconnect()).catch(() => undefined);
  };
  let queue = Promise.resolve();
  port.on('message', (request: ProduceRequest) => {
    queue = queue.then(async () => {
      const reply = (error: string | null) => port.postMessage({ id: request.id, error } satisfies ProduceReply);
      if (request.kind === 'stop') {
        await disconnect();
        reply(null);
        return;
      }
      try {
        const hits = request.kind === 'produce' ? request.hits : decodeHitLines(request.lines);
        const messages = hits.map((hit) => {
          const event = buildEvent(trackingEngagementTopic, hit.engagement, { orgId: hit.engagement.orgId, eventId: hit.engagement.engagementId, occurredAt: new Date(hit.engagement.occurredAt) });
          // This thread has no tracing of its own: the producer span's context comes with the hit.
          return { key: event.key, value: JSON.stringify(event.payload), headers: { ...event.headers, ...hit.traceHeaders } };
        });
        // As publishEvents sends events (acks from all in-sync replicas, one request), without
        // opening producer spans again: the caller opened them and put their context in the
        // headers; this thread has no tracer or propagator, so they would only copy the headers.
        await (await connected()).sendBatch({ acks: -1, topicMessages: [{ topic: options.topic, messages }] });
        reply(null);
      } catch (err) {
        // A fresh producer for the next attempt: kafkajs does not always recover one whose broker
        // went away mid-request.
        await disconnect();
        reply((err as Error).message || String(err));
      }
    });
  });
}

if (parentPort && (workerData as { telltaleProduceWorker?: ProduceWorkerOptions } | null)?.telltaleProduceWorker) {
  runWorker(parentPort, (workerData as { telltaleProduceWorker: ProduceWorkerOptions }).telltaleProduceWorker);
}
