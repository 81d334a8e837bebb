import { z } from 'zod';
import { defineTopic } from '../topic-definition';
import { Instant, Uuid } from '../primitives';

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
  consumers: ['app', 'crm-writer'],
});
