import type { TrackingEngagement } from '@telltale/contracts';

/**
 * One recorded hit as it waits to be written: the event payload plus the W3C trace headers of the
 * request that caused it, so the event continues the request's trace even when written later in a
 * batch or replayed from the spill. JSON-serialisable (spill files are JSON lines).
 */
export interface HitRecord {
  engagement: TrackingEngagement;
  traceHeaders: Record<string, string>;
}
