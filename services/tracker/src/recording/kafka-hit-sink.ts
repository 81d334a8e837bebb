import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { startPublishSpans } from '@telltale/kafka';
import { carriesTrace, tracesRecorded } from '../hits/trace-carrier';
import type { EncodedHits } from './encoded-hits';
import type { HitRecord } from './hit-record';
import type { HitSink } from './hit-recorder';
import type { ProduceReply, ProduceRequest, ProduceWorkerOptions } from './kafka-produce-worker';

/**
 * The hit path's only write (ADR 6): each batch is produced straight to `tracking.engagement.v1`
 * (acks from all in-sync replicas, idempotent producer, one batch in flight, so arrival order is
 * Kafka order per email). No database on the way: the engagement store consumes the topic like any
 * other consumer. A batch Kafka does not take makes this throw, and the recorder spills it.
 * The engagement id is the event id, so a batch sent twice (a spill replayed after a crash) is a
 * duplicate every consumer recognises.
 *
 * The producing itself (validation, JSON, kafkajs) runs on a worker thread, so the event loop that
 * answers the pixel only opens each event's producer span here and passes the batch on.
 */
export class KafkaHitSink implements HitSink {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private nextId = 1;

  constructor(private readonly options: ProduceWorkerOptions) {}

  async write(batch: readonly HitRecord[]): Promise<void> {
    if (batch.length === 0) return;
    // No tracer provider and no hit with a trace (the pixel's common case): every producer span
    // would be non-recording with nothing to pass on, the headers empty as they are.
    if (!tracesRecorded() && !batch.some((hit) => carriesTrace(hit.traceHeaders))) {
      await this.request({ kind: 'produce', hits: batch as HitRecord[] });
      return;
    }
    // Each event's producer span continues the trace of the request that caused it.
    const spans = startPublishSpans(batch.map((hit) => ({ eventId: hit.engagement.engagementId, topic: this.options.topic, headers: hit.traceHeaders })));
    try {
      await this.request({ kind: 'produce', hits: batch.map((hit, i) => ({ engagement: hit.engagement, traceHeaders: spans.headers[i]! })) });
    } finally {
      spans.end();
    }
  }

  /**
   * A batch as the recorder holds it: its JSON lines go to the worker as they are (one copy of the
   * bytes, no object per hit to clone), unless producer spans must be opened for its hits here.
   */
  async writeEncoded(batch: EncodedHits): Promise<void> {
    if (batch.count === 0) return;
    if (batch.traced || tracesRecorded()) {
      await this.write(batch.records());
      return;
    }
    await this.request({ kind: 'produce-lines', lines: batch.lines() });
  }

  /** Disconnects the producer (after the recorder has flushed) and ends the worker thread. */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    await this.request({ kind: 'stop' }).catch(() => undefined);
    this.worker = null;
    await worker.terminate();
  }

  private request(request: { kind: 'produce'; hits: HitRecord[] } | { kind: 'produce-lines'; lines: Uint8Array } | { kind: 'stop' }): Promise<void> {
    const worker = this.started();
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, ...request } satisfies ProduceRequest);
    });
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(join(__dirname, 'kafka-produce-worker.js'), {
      workerData: { telltaleProduceWorker: this.options },
      // It holds one batch at a time: a small heap keeps the tracker's memory bounded (ADR 6). The
      // young generation fits a full batch (up to 2 000 hits, ADR 8) being encoded: with 6 MB, scavenges
      // copying the batch in flight cost more than the encoding.
      resourceLimits: { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 16 },
    });
    worker.on('message', (reply: ProduceReply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.error === null) waiting?.resolve();
      else waiting?.reject(new Error(reply.error));
    });
    const gone = (error: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', gone);
    worker.on('exit', (code) => gone(new Error(`produce worker exited (${code})`)));
    // Never what keeps the process alive: the lifecycle stops it after the last flush.
    worker.unref();
    this.worker = worker;
    return worker;
  }
}
