import { z } from 'zod';
import { defineTopic } from '../topic-definition';
import { Instant, Uuid } from '../primitives';

export const EmailComplained = z.object({
  /** The reply detector's verdict id of the feedback report. */
  complaintId: Uuid,
  orgId: Uuid,
  mailboxId: Uuid,
  sentEmailId: Uuid,
  enrollmentId: Uuid.nullable(),
  /** Who complained: the enclosed original's recipient, else the email's only To. */
  recipient: z.string().max(320),
  /** RFC 5965 §7.3 Feedback-Type (abuse, fraud, virus, other…) when the report says it. */
  feedbackType: z.string().max(50).nullable(),
  detectedAt: Instant,
});
export type EmailComplained = z.infer<typeof EmailComplained>;

export const emailComplainedTopic = defineTopic({
  name: 'email.complained.v1',
  eventType: 'email.complained',
  title: 'Email complained about',
  description:
    "A feedback (complaint) report (RFC 5965 ARF, multipart/report; report-type=feedback-report) about an email Telltale sent arrived in the rep's mailbox. The sequencer suppresses the recipient (reason complaint) and stops their enrollments.",
  schema: EmailComplained,
  keyOf: (p) => p.enrollmentId ?? p.sentEmailId,
  keyDescription: 'enrollmentId, or sentEmailId for one-off sends',
  producers: ['reply-detector'],
  consumers: ['sequencer'],
});
