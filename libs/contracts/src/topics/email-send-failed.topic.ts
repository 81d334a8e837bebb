import { z } from 'zod';
import { defineTopic } from '../topic-definition';
import { Instant, Uuid } from '../primitives';

export const SendFailureCode = z.enum([
  'RATE_LIMITED',
  'AUTH_REVOKED',
  'INSUFFICIENT_PERMISSIONS',
  'TEMPORARY',
  'PERMANENT',
  'ENROLLMENT_NOT_ACTIVE',
  'EXPIRED',
  'MAILBOX_NOT_CONNECTED',
]);

export const EmailSendFailed = z.object({
  sendRequestId: Uuid,
  orgId: Uuid,
  mailboxId: Uuid,
  enrollmentId: Uuid.nullable(),
  stepNumber: z.int().min(1).nullable(),
  code: SendFailureCode,
  /** Human-readable, never containing credentials or the message body. */
  reason: z.string().max(2000),
  /**
   * When the provider said how long to wait (a Retry-After, a daily sending cap, the mailbox's own
   * pacing): no send from this mailbox is worth trying before this time. Absent when unknown.
   */
  retryNotBefore: Instant.optional(),
  failedAt: Instant,
});
export type EmailSendFailed = z.infer<typeof EmailSendFailed>;

export const emailSendFailedTopic = defineTopic({
  name: 'email.send-failed.v1',
  eventType: 'email.send-failed',
  title: 'Email send failed',
  description: 'The sender did not send a requested email, and why (including a send skipped because the enrollment had stopped).',
  schema: EmailSendFailed,
  keyOf: (p) => p.enrollmentId ?? p.sendRequestId,
  keyDescription: 'enrollmentId, or sendRequestId for one-off sends',
  producers: ['sender'],
  consumers: ['sequencer', 'app'],
});
