import { z } from 'zod';
import { defineTopic } from '../topic-definition';
import { Instant, Uuid } from '../primitives';
import { EngagementType, HitLabel } from './tracking-engagement.topic';

/**
 * A hit announced on `tracking.engagement.v1` was relabelled after the fact: a later hit showed it
 * was a machine (the first click of a scanner's link burst, whose other clicks came after it, maybe
 * through another tracker replica). Only ever from `human` to a machine label: a consumer that
 * acted on the human hit undoes or restyles what it did (docs/tracking-classification.md,
 * "Corrections").
 */
export const TrackingEngagementCorrected = z.object({
  /** This correction's own id (the event id). */
  correctionId: Uuid,
  /** The hit relabelled: the `engagementId` of its `tracking.engagement.v1` event. */
  engagementId: Uuid,
  orgId: Uuid,
  sentEmailId: Uuid,
  type: EngagementType,
  linkIndex: z.int().min(0).nullable(),
  /** When the hit itself happened (its event's `occurredAt`). */
  occurredAt: Instant,
  /** The label it was announced with. */
  previousLabel: HitLabel,
  /** Its classification now; the reasons say what revealed it. */
  classification: z.object({
    label: HitLabel,
    confidence: z.number().min(0).max(1),
    reasons: z.array(z.string().max(200)).max(20),
  }),
  correctedAt: Instant,
});
export type TrackingEngagementCorrected = z.infer<typeof TrackingEngagementCorrected>;

export const trackingEngagementCorrectedTopic = defineTopic({
  name: 'tracking.engagement-corrected.v1',
  eventType: 'tracking.engagement-corrected',
  title: 'Tracking engagement corrected',
  description:
    'An earlier tracking.engagement.v1 hit labelled human was a machine after all (e.g. the first click of a security scanner\'s link burst): its new label and the reasons. Consumers undo what they did for the human hit. Keyed like tracking.engagement.v1.',
  schema: TrackingEngagementCorrected,
  keyOf: (p) => p.sentEmailId,
  keyDescription: 'sentEmailId',
  producers: ['tracker'],
  consumers: ['app', 'crm-writer'],
});
