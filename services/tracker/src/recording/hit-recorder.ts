import type { Logger } from '@telltale/telemetry';
import { EncodedHits } from './encoded-hits';
import type { HitRecord } from './hit-record';
import type { HitSpill } from './hit-spill';

/** Where batches of hits go (Kafka in production); tests give one that fails or hangs. */
export interface HitSink {
  write(batch: readonly HitRecord[]): Promise<void>;
  /** The same for a batch as the recorder holds it (JSON lines); without it, the batch is decoded for `write`. */
  writeEncoded?(batch: EncodedHits): Promise<void>;
}

export interface HitRecorderOptions {
  /** A write starts as soon as this many hits wait (or the flush interval passes). */
  batchSize?: number;
  /**
   * Hits per write (one produce request) at most. A write takes everything that queued up while
   * the previous one was in flight, so under load batches grow and the cost per hit of a write
   * (a message to the produce worker, a produce request, the broker's work) shrinks.
   */
  maxBatchSize?: number;
  /** How long a hit may wait for companions before its batch is written. */
  flushIntervalMs?: number;
  /** Hits held in memory at most; beyond that the queue goes to the spill (memory stays bounded). */
  maxQueued?: number;
  /** First retry delay of the spill replay while the sink is unreachable (doubles up to 10 s). */
  replayRetryMs?: number;
}

export interface HitRecorderStats {
  queued: number;
  spilledSegments: number;
  mode: 'direct' | 'spilling';
  lost: number;
}

/**
 * The tracker's hot path (ADR 0005): the request handler hands a hit over and answers at once;
 * hits are written to the sink (Kafka) in batches. When the sink refuses a batch, it and every
 * later hit go to the local spill, in order, until the spill has been replayed; so a hit is never
 * written before an older one, and Kafka being down costs no request anything. One write (batch
 * or replay) runs at a time, which keeps arrival order.
 */
export class HitRecorder {
  /**
   * Hits waiting, in arrival order, encoded as they arrive (EncodedHits: no objects held per hit),
   * in chunks of at most maxBatchSize: a write takes the first chunk.
   */
  private queue: EncodedHits[] = [];
  private queued = 0;
  private timer: NodeJS.Timeout | null = null;
  /** The timer is armed with no delay (a batch is due). */
  private timerImmediate = false;
  private busy: Promise<void> | null = null;
  private mode: 'direct' | 'spilling' = 'direct';
  private nextSegment = 1;
  private replayDelayMs: number;
  private stopped = false;
  /** stop() has begun: the write in flight must not schedule another, which would run after the stop. */
  private stopping = false;
  private lost = 0;
  private readonly batchSize: number;
  private readonly maxBatchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxQueued: number;
  private readonly replayRetryMs: number;

  constructor(
    private readonly sink: HitSink,
    private readonly spill: HitSpill,
    private readonly logger: Logger,
    options: HitRecorderOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 50;
    this.maxBatchSize = Math.max(this.batchSize, options.maxBatchSize ?? 500);
    this.flushIntervalMs = options.flushIntervalMs ?? 50;
    this.maxQueued = options.maxQueued ?? 20_000;
    this.replayRetryMs = options.replayRetryMs ?? 250;
    this.replayDelayMs = this.replayRetryMs;
    const existing = this.spill.segments();
    if (existing.length > 0) {
      // Hits spilled before a restart are older than anything that arrives now.
      this.nextSegment = existing[existing.length - 1]! + 1;
      this.mode = 'spilling';
      this.logger.warn({ segments: existing.length }, 'replaying hits spilled before restart');
      this.schedule(0);
    }
  }

  /** Never throws and never waits: the response does not depend on the write. */
  record(hit: HitRecord): void {
    if (this.stopped) {
      const alone = new EncodedHits();
      alone.append(hit);
      this.spillNow([alone]);
      return;
    }
    let last = this.queue[this.queue.length - 1];
    if (!last || last.count >= this.maxBatchSize) this.queue.push((last = new EncodedHits()));
    last.append(hit);
    this.queued += 1;
    if (this.queued >= this.maxQueued) {
      // The sink is too slow or hanging: the queue leaves memory, in order, behind the batch in
      // flight (which holds a lower segment number should it fail).
      this.spillNow(this.takeAll());
      this.mode = 'spilling';
    }
    // A write in flight schedules the next one as it ends; a timer already due soon stays as it is.
    // (Re-arming a timer for every hit while a write was in flight cost a timer per request.)
    if (this.busy) return;
    if (this.queued >= this.batchSize) {
      if (!this.timer || !this.timerImmediate) this.schedule(0);
    } else if (!this.timer) this.schedule(this.flushIntervalMs);
  }

  stats(): HitRecorderStats {
    return { queued: this.queued, spilledSegments: this.spill.segments().length, mode: this.mode, lost: this.lost };
  }

  /** Resolves once every hit recorded so far is written (or, failing that, in the spill). */
  async flush(): Promise<void> {
    while (this.busy) await this.busy;
    while (this.queued > 0 || (this.mode === 'spilling' && !this.stopped)) {
      const before = this.spill.segments().length + this.queued;
      await this.runOnce();
      const after = this.spill.segments().length + this.queued;
      if (this.mode === 'spilling' && after >= before && this.queued === 0) return;
    }
  }

  /** Writes what is queued (to the spill if the sink will not take it) and stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.busy) await this.busy;
    this.stopped = true;
    for (let batch = this.takeBatch(); batch; batch = this.takeBatch()) {
      if (this.mode === 'direct') {
        try {
          await this.writeToSink(batch);
          continue;
        } catch {
          this.mode = 'spilling';
        }
      }
      this.spillNow([batch]);
    }
  }

  private schedule(ms: number): void {
    if (this.stopped || this.stopping) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerImmediate = ms === 0;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.runOnce();
    }, ms);
  }

  private runOnce(): Promise<void> {
    if (this.busy) return this.busy;
    this.busy = (this.mode === 'spilling' ? this.replay() : this.writeBatch()).finally(() => {
      this.busy = null;
      if (this.stopped) return;
      if (this.mode === 'spilling') this.schedule(this.queued > 0 && this.replayDelayMs === this.replayRetryMs ? 0 : this.replayDelayMs);
      else if (this.queued >= this.batchSize) this.schedule(0);
      else if (this.queued > 0) this.schedule(this.flushIntervalMs);
    });
    return this.busy;
  }

  private async writeBatch(): Promise<void> {
    const batch = this.takeBatch();
    if (!batch) return;
    const segment = this.nextSegment++;
    try {
      await this.writeToSink(batch);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, hits: batch.count }, 'hit batch not written; spilling to disk until Kafka is back');
      this.mode = 'spilling';
      this.spillAt(segment, [batch]);
    }
  }

  private writeToSink(batch: EncodedHits): Promise<void> {
    return this.sink.writeEncoded ? this.sink.writeEncoded(batch) : this.sink.write(batch.records());
  }

  /** The first chunk: the oldest hits, at most maxBatchSize of them. */
  private takeBatch(): EncodedHits | undefined {
    const batch = this.queue.shift();
    if (batch) this.queued -= batch.count;
    return batch;
  }

  private takeAll(): EncodedHits[] {
    const all = this.queue;
    this.queue = [];
    this.queued = 0;
    return all;
  }

  /** Replays spilled segments oldest first; back to direct writes only once none is left. */
  private async replay(): Promise<void> {
    if (this.queued > 0) this.spillNow(this.takeAll());
    for (const segment of this.spill.segments()) {
      let records: HitRecord[];
      try {
        records = this.spill.read(segment);
      } catch (err) {
        this.logger.error({ err: (err as Error).message, segment }, 'unreadable spill segment left in place');
        return;
      }
      try {
        for (let i = 0; i < records.length; i += this.maxBatchSize) await this.sink.write(records.slice(i, i + this.maxBatchSize));
      } catch (err) {
        this.replayDelayMs = Math.min(10_000, this.replayDelayMs * 2);
        this.logger.warn({ err: (err as Error).message, segment }, 'spill replay failed; will retry');
        return;
      }
      this.spill.remove(segment);
      this.replayDelayMs = this.replayRetryMs;
    }
    if (this.queued === 0 && this.spill.segments().length === 0) {
      this.mode = 'direct';
      this.logger.info('spill replayed; writing hits directly again');
    }
  }

  private spillNow(chunks: readonly EncodedHits[]): void {
    this.spillAt(this.nextSegment++, chunks);
  }

  /** The chunks, in order, as one segment (their JSON lines are the spill's format as they are). */
  private spillAt(segment: number, chunks: readonly EncodedHits[]): void {
    const hits = chunks.reduce((n, chunk) => n + chunk.count, 0);
    if (hits === 0) return;
    try {
      this.spill.writeLines(segment, chunks.length === 1 ? chunks[0]!.lines() : Buffer.concat(chunks.map((chunk) => chunk.lines())));
    } catch (err) {
      // Disk full or read-only: the only place left is the log, without the hits' content.
      this.lost += hits;
      this.logger.error({ err: (err as Error).message, hits }, 'hits lost: neither Kafka nor the spill took them');
    }
  }
}
