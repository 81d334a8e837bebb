import { z } from 'zod';
import { defineTopic } from '../topic-definition';
import { Instant, Uuid } from '../primitives';

export const EngagementType = z.enum(['opened', 'clicked']);

/** Who (or what) caused a hit. Machines are kept and labelled, never silently dropped. */
export const HitLabel = z.enum([
  'human',
  'privacy_prefetch',
  'mail_proxy',
  'security_scanner',
  'link_preview',
  'self',
  'internal',
]);

export const TrackingEngagement = z.object({
  engagementId: Uuid,
  orgId: Uuid,
  sentEmailId: Uuid,
  type: EngagementType,
  /** For clicks: which link of the email (0-based, in document order) and its target. */
  linkIndex: z.int().min(0).nullable(),
  url: z.url({ protocol: /^https?$/ }).nullable(),
  classification: z.object({
    label: HitLabel,
    confidence: z.number().min(0).max(1),
    reasons: z.array(z.string().max(200)).max(20),
  }),
  /** Truncated user agent; never cookies or full IP addresses. */
  userAgent: z.string().max(512).nullable(),
  occurredAt: Instant,
});
export type TrackingEngagement = z.infer<typeof TrackingEngagement>;

export const trackingEngagementTopic = defineTopic({
  name: 'tracking.engagement.v1',
  eventType: 'tracking.engagement',
  title: 'Tracking engagement',
  description: 'An open-pixel load or a tracked-link click, with its human/machine classification and the reasons for it.',
  schema: TrackingEngagement,
  keyOf: (p) => p.sentEmailId,
  keyDescription: 'sentEmailId',
  producers: ['tracker'],
  consumers: ['tracker', 'app', 'crm-writer'],
});
