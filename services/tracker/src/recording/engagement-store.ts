import { randomUUID } from 'node:crypto';
import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EntityManager } from 'typeorm';
import { trackingEngagementCorrectedTopic, trackingEngagementTopic, type TrackingEngagement, type TrackingEngagementCorrected } from '@telltale/contracts';
import type { ConsumedEvent } from '@telltale/kafka';
import { EventContext, ServiceRuntime } from '@telltale/runtime';
import type { HitSignatures } from '../classification/hit-signatures';
import { linkBurstCorrections, type LinkBurstSettings, type StoredClick } from '../classification/link-burst-corrections';
import { HIT_SIGNATURES } from '../hits/tracker-tokens';

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

/**
 * Relabels the stored human clicks that the batch's clicks put in a link burst (the first click of
 * a scanner's burst, and the clicks of a burst spread over replicas: docs/tracking-classification.md,
 * "Corrections") and returns the corrections to announce. Every hit of an email is on one partition,
 * so one consumer sees all of an email's clicks, whichever replica served them. Only `human` rows
 * change (`corrected_from` keeps the first label): a redelivered batch corrects nothing twice.
 */
export async function correctLinkBursts(
  hits: readonly TrackingEngagement[],
  manager: EntityManager,
  settings: LinkBurstSettings,
  now: Date,
): Promise<TrackingEngagementCorrected[]> {
  // The stored clicks that can be in a burst with one of the batch's: within two windows of it.
  const margin = 2 * settings.linkBurstWindowSeconds * 1000;
  const spans = new Map<string, { sent_email_id: string; lo: number; hi: number }>();
  for (const hit of hits) {
    if (hit.type !== 'clicked' || hit.linkIndex === null) continue;
    const at = Date.parse(hit.occurredAt);
    const span = spans.get(hit.sentEmailId) ?? { sent_email_id: hit.sentEmailId, lo: at, hi: at };
    spans.set(hit.sentEmailId, { ...span, lo: Math.min(span.lo, at), hi: Math.max(span.hi, at) });
  }
  if (spans.size === 0) return [];
  const windows = [...spans.values()].map((s) => ({ sent_email_id: s.sent_email_id, lo: new Date(s.lo - margin).toISOString(), hi: new Date(s.hi + margin).toISOString() }));
  const rows = (await manager.query(
    `SELECT e.id, e.org_id, e.sent_email_id, e.link_index, e.occurred_at, e.label, e.reasons
     FROM tracker.engagement e
     JOIN jsonb_to_recordset($1::jsonb) AS w(sent_email_id uuid, lo timestamptz, hi timestamptz)
       ON e.sent_email_id = w.sent_email_id AND e.occurred_at BETWEEN w.lo AND w.hi
     WHERE e.type = 'clicked' AND e.link_index IS NOT NULL`,
    [JSON.stringify(windows)],
  )) as { id: string; org_id: string; sent_email_id: string; link_index: number; occurred_at: Date; label: string; reasons: string[] }[];
  const byEmail = new Map<string, typeof rows>();
  for (const row of rows) byEmail.set(row.sent_email_id, [...(byEmail.get(row.sent_email_id) ?? []), row]);
  const corrections: TrackingEngagementCorrected[] = [];
  for (const emailRows of byEmail.values()) {
    const clicks: StoredClick[] = emailRows.map((r) => ({ engagementId: r.id, linkIndex: r.link_index, at: r.occurred_at.getTime(), label: r.label, reasons: r.reasons }));
    for (const found of linkBurstCorrections(clicks, settings)) {
      const [updated] = (await manager.query(
        `UPDATE tracker.engagement SET label = $2, confidence = $3, reasons = $4, corrected_from = label, corrected_at = $5
         WHERE id = $1 AND label = 'human' RETURNING org_id, sent_email_id, link_index, occurred_at`,
        [found.engagementId, found.classification.label, found.classification.confidence, JSON.stringify(found.classification.reasons), now],
      )) as [{ org_id: string; sent_email_id: string; link_index: number; occurred_at: Date }[], number];
      const row = updated[0];
      if (!row) continue;
      corrections.push({
        correctionId: randomUUID(),
        engagementId: found.engagementId,
        orgId: row.org_id,
        sentEmailId: row.sent_email_id,
        type: 'clicked',
        linkIndex: row.link_index,
        occurredAt: row.occurred_at.toISOString(),
        previousLabel: 'human',
        classification: found.classification,
        correctedAt: now.toISOString(),
      });
    }
  }
  return corrections;
}

/**
 * The store's consumer (TRACKER_ENGAGEMENT_STORE): the events of each fetched batch at once; the
 * corrections they reveal go out through the outbox in the same transaction as the relabelling.
 */
@Controller()
export class EngagementStoreConsumer {
  constructor(
    private readonly runtime: ServiceRuntime,
    @Inject(HIT_SIGNATURES) private readonly signatures: HitSignatures,
  ) {}

  @EventPattern(trackingEngagementTopic.name, { consumer: 'engagement-store', batch: true })
  async onEngagements(@Payload() events: ConsumedEvent<TrackingEngagement>[], @Ctx() context: EventContext): Promise<void> {
    await appendEngagements(events, context.manager);
    const corrections = await correctLinkBursts(
      events.map((e) => e.payload),
      context.manager,
      this.signatures.timing,
      this.runtime.clock.now(),
    );
    for (const correction of corrections) {
      await this.runtime.outbox.enqueue(context.manager, trackingEngagementCorrectedTopic, correction, {
        orgId: correction.orgId,
        eventId: correction.correctionId,
        occurredAt: new Date(correction.correctedAt),
      });
    }
    if (corrections.length > 0) this.runtime.logger.info({ corrections: corrections.length }, 'link-burst clicks relabelled after the fact');
  }
}
