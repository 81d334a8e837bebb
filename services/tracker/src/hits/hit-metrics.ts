import { counter, gauge, type Registry } from '@telltale/runtime';
import type { HitRecorder } from '../recording/hit-recorder';
import type { HitSpill } from '../recording/hit-spill';

/**
 * Hits by type (opened, clicked) and label (human, privacy_prefetch, security_scanner, ...), both
 * bounded sets. Counted on the hit path with a number increment in a map (no label object, no
 * hashing, nothing asynchronous: ADR 5); the Prometheus counter is filled from these at scrape time.
 */
export class HitMetrics {
  private readonly counts = new Map<string, Map<string, number>>();

  constructor(registry: Registry) {
    const counts = this.counts;
    counter(registry, {
      name: 'telltale_tracker_hits_total',
      help: 'Tracked hits recorded, by type (opened, clicked) and classification label.',
      labelNames: ['type', 'label'],
      collect() {
        this.reset();
        for (const [type, byLabel] of counts) for (const [label, n] of byLabel) this.inc({ type, label }, n);
      },
    });
  }

  hit(type: string, label: string): void {
    let byLabel = this.counts.get(type);
    if (!byLabel) this.counts.set(type, (byLabel = new Map()));
    byLabel.set(label, (byLabel.get(label) ?? 0) + 1);
  }
}

/** The hit queue and the disk spill (ADR 5), read at scrape time. */
export function registerRecorderMetrics(registry: Registry, recorder: HitRecorder, spill: HitSpill): void {
  gauge(registry, {
    name: 'telltale_tracker_spill_segments',
    help: 'Segment files in the disk spill: hits Kafka did not take yet, replayed in order.',
    collect() {
      this.set(spill.segments().length);
    },
  });
  gauge(registry, {
    name: 'telltale_tracker_spill_bytes',
    help: 'Size of the disk spill in bytes.',
    collect() {
      this.set(spill.bytes());
    },
  });
  gauge(registry, {
    name: 'telltale_tracker_hits_queued',
    help: 'Hits in memory waiting for their batch to be produced.',
    collect() {
      this.set(recorder.stats().queued);
    },
  });
  counter(registry, {
    name: 'telltale_tracker_hits_lost_total',
    help: 'Hits neither Kafka nor the disk spill took (disk full or read-only).',
    collect() {
      this.reset();
      this.inc(recorder.stats().lost);
    },
  });
}
