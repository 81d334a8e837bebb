import { z } from 'zod';
import { defineTopic } from '../topic-definition';
import { Instant, Uuid } from '../primitives';

export const StopReason = z.enum(['replied', 'bounced', 'company_replied', 'unsubscribed', 'manual']);

export const CampaignStop = z.object({
  stopId: Uuid,
  orgId: Uuid,
  enrollmentId: Uuid,
  reason: StopReason,
  /** The event that caused the stop (e.g. the replyId). */
  causeId: Uuid,
  sentEmailId: Uuid.nullable(),
  occurredAt: Instant,
});
export type CampaignStop = z.infer<typeof CampaignStop>;

export const campaignStopTopic = defineTopic({
  name: 'campaign.stop.v1',
  eventType: 'campaign.stop',
  title: 'Campaign stop',
  description: 'An enrollment must stop: no further step may be sent. The sequencer stops it; the CRM writer records it.',
  schema: CampaignStop,
  keyOf: (p) => p.enrollmentId,
  keyDescription: 'enrollmentId',
  producers: ['reply-detector'],
  consumers: ['sequencer', 'app'],
});
