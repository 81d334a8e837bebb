import { ROOT_CONTEXT, context, propagation } from '@opentelemetry/api';
import { trackingEngagementTopic } from '@telltale/contracts';
import { buildEvent } from '@telltale/kafka';
import type { ServiceRuntime } from '@telltale/runtime';
import type { HitRecord } from './hit-record';

/** Writes batches of hits; the recorder depends on this shape so tests can make the database fail. */
export interface HitSink {
  write(batch: readonly HitRecord[]): Promise<void>;
}

/**
 * One transaction per batch: the append-only engagement rows and their outbox events. Idempotent:
 * a hit already stored (a spill segment replayed twice after a crash) is skipped, and so is its
 * event, so nothing is duplicated downstream (engagementId is the event id).
 */
export class HitBatchWriter implements HitSink {
  constructor(private readonly runtime: ServiceRuntime) {}

  async write(batch: readonly HitRecord[]): Promise<void> {
    if (batch.length === 0) return;
    const rows = batch.map(({ engagement: e }) => ({
      id: e.engagementId,
      org_id: e.orgId,
      sent_email_id: e.sentEmailId,
      type: e.type,
      link_index: e.linkIndex,
      url: e.url,
      label: e.classification.label,
      confidence: e.classification.confidence,
      reasons: e.classification.reasons,
      user_agent: e.userAgent,
      occurred_at: e.occurredAt,
    }));
    const topic = this.runtime.topicName(trackingEngagementTopic);
    await this.runtime.transaction(async (m) => {
      const inserted = (await m.query(
        `INSERT INTO tracker.engagement (id, org_id, sent_email_id, type, link_index, url, label, confidence, reasons, user_agent, occurred_at)
         SELECT id, org_id, sent_email_id, type, link_index, url, label, confidence, reasons, user_agent, occurred_at
         FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(doc, n)
         CROSS JOIN LATERAL jsonb_to_record(e.doc) AS r(id uuid, org_id uuid, sent_email_id uuid, type text, link_index int, url text,
              label text, confidence real, reasons jsonb, user_agent text, occurred_at timestamptz)
         ORDER BY e.n
         ON CONFLICT (id) DO NOTHING
         RETURNING id`,
        [JSON.stringify(rows)],
      )) as { id: string }[];
      const fresh = new Set(inserted.map((r) => r.id));
      const events = batch
        .filter((h) => fresh.has(h.engagement.engagementId))
        .map((h) =>
          // Each event carries the trace of the request that caused it, not of this flush.
          context.with(propagation.extract(ROOT_CONTEXT, h.traceHeaders), () =>
            buildEvent(trackingEngagementTopic, h.engagement, { orgId: h.engagement.orgId, eventId: h.engagement.engagementId, occurredAt: new Date(h.engagement.occurredAt) }),
          ),
        )
        .map((event) => ({ event_id: event.eventId, topic, message_key: event.key, payload: event.payload, headers: event.headers }));
      if (events.length === 0) return;
      // The relay publishes in seq order, so the batch's order (arrival order) is the Kafka order.
      await m.query(
        `INSERT INTO tracker.outbox (event_id, topic, message_key, payload, headers)
         SELECT event_id, topic, message_key, payload, headers
         FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(doc, n)
         CROSS JOIN LATERAL jsonb_to_record(e.doc) AS r(event_id uuid, topic text, message_key text, payload jsonb, headers jsonb)
         ORDER BY e.n
         ON CONFLICT (event_id) DO NOTHING`,
        [JSON.stringify(events)],
      );
    });
  }
}
