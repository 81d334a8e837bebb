import { z } from 'zod';
import { defineTopic } from '../topic-definition';
import { Address, Instant, Uuid } from '../primitives';

export const EmailSendRequested = z.object({
  /** Idempotency key of this hand-over: the sender sends at most one email per request id. */
  sendRequestId: Uuid,
  orgId: Uuid,
  mailboxId: Uuid,
  enrollmentId: Uuid.nullable(),
  sequenceId: Uuid.nullable(),
  /** 1-based step number within the sequence; null for one-off sends. */
  stepNumber: z.int().min(1).nullable(),
  from: Address,
  to: z.array(Address).min(1).max(100),
  cc: z.array(Address).max(100),
  subject: z.string().max(998),
  html: z.string().max(2_000_000).nullable(),
  text: z.string().max(2_000_000).nullable(),
  /** Thread the step into an earlier email of the same enrollment (RFC 5322 In-Reply-To). */
  replyToMessageId: z.string().max(998).nullable(),
  tracking: z.object({ opens: z.boolean(), clicks: z.boolean() }),
  /** The sender must not send after this instant (the step went stale). */
  notAfter: Instant.nullable(),
  requestedAt: Instant,
});
export type EmailSendRequested = z.infer<typeof EmailSendRequested>;

export const emailSendRequestedTopic = defineTopic({
  name: 'email.send-requested.v1',
  eventType: 'email.send-requested',
  title: 'Email send requested',
  description:
    'The sequencer hands one step of an enrollment (or a one-off email) to the sender. The sender re-checks the enrollment before calling the provider.',
  schema: EmailSendRequested,
  keyOf: (p) => p.enrollmentId ?? p.sendRequestId,
  keyDescription: 'enrollmentId, or sendRequestId for one-off sends',
  producers: ['sequencer'],
  consumers: ['sender'],
});
