import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EntityManager } from 'typeorm';
import { trackingEngagementTopic, type TrackingEngagement } from '@telltale/contracts';
import type { ConsumedEvent } from '@telltale/kafka';
import { EventContext } from '@telltale/runtime';

/**
 * The append-only engagement store (ADR 0005): a consumer of `tracking.engagement.v1`, so the
 * pixel never waits on the database. Rows are inserted in batches keyed by the engagement id (the
 * event id): a redelivered event is skipped, never stored twice. Per-email counters are derived
 * from these rows by a view (`tracker.email_engagement_summary`), not updated in place.
 */
export async function appendEngagements(events: readonly ConsumedEvent<TrackingEngagement>[], manager: EntityManager): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map(({ payload: e }) => ({
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
  await manager.query(
    `INSERT INTO tracker.engagement (id, org_id, sent_email_id, type, link_index, url, label, confidence, reasons, user_agent, occurred_at)
     SELECT id, org_id, sent_email_id, type, link_index, url, label, confidence, reasons, user_agent, occurred_at
     FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, org_id uuid, sent_email_id uuid, type text, link_index int, url text,
          label text, confidence real, reasons jsonb, user_agent text, occurred_at timestamptz)
     ON CONFLICT (id) DO NOTHING`,
    [JSON.stringify(rows)],
  );
}

/** The store's consumer (TRACKER_ENGAGEMENT_STORE): the events of each fetched batch at once. */
@Controller()
export class EngagementStoreConsumer {
  @EventPattern(trackingEngagementTopic.name, { consumer: 'engagement-store', batch: true })
  onEngagements(@Payload() events: ConsumedEvent<TrackingEngagement>[], @Ctx() context: EventContext): Promise<void> {
    return appendEngagements(events, context.manager);
  }
}
