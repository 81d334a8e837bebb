import { z } from 'zod';
import { defineTopic } from '../topic-definition';
import { Instant, Uuid } from '../primitives';

/**
 * Why a delivery failed, at the address level. Only the first four say the address itself is gone
 * (severity hard); every other reason leaves the address good (soft), whatever its status code.
 */
export const BOUNCE_REASONS = [
  'user_unknown',
  'host_unknown',
  'has_moved',
  'not_accept',
  'mailbox_full',
  'message_too_big',
  'blocked',
  'spam_detected',
  'policy_violation',
  'auth_failure',
  'relaying_denied',
  'suspended',
  'expired',
  'content_error',
  'system_error',
  'network_error',
  'rate_limited',
  'virus_detected',
  'other',
] as const;
export const BounceReason = z.enum(BOUNCE_REASONS);
export type BounceReason = z.infer<typeof BounceReason>;

export const EmailBounced = z.object({
  bounceId: Uuid,
  orgId: Uuid,
  mailboxId: Uuid,
  sentEmailId: Uuid,
  enrollmentId: Uuid.nullable(),
  recipient: z.string().max(320).nullable(),
  severity: z.enum(['hard', 'soft']),
  /** RFC 3463 enhanced status code, e.g. 5.1.1. */
  statusCode: z.string().max(20).nullable(),
  diagnostic: z.string().max(2000).nullable(),
  /**
   * Why it failed (optional: events published before it existed have none). user_unknown, host_unknown,
   * has_moved and not_accept come with severity hard; every other reason with soft.
   */
  reason: BounceReason.optional(),
  detectedAt: Instant,
});
export type EmailBounced = z.infer<typeof EmailBounced>;

export const emailBouncedTopic = defineTopic({
  name: 'email.bounced.v1',
  eventType: 'email.bounced',
  title: 'Email bounced',
  description: 'A delivery failure report was matched to an email Telltale sent.',
  schema: EmailBounced,
  keyOf: (p) => p.enrollmentId ?? p.sentEmailId,
  keyDescription: 'enrollmentId, or sentEmailId for one-off sends',
  producers: ['reply-detector'],
  consumers: ['app', 'crm-writer', 'sequencer'],
});
