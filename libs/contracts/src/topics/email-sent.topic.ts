import { z } from 'zod';
import { defineTopic } from '../topic-definition';
import { Address, Instant, RfcMessageId, Uuid } from '../primitives';

export const EmailSent = z.object({
  sentEmailId: Uuid,
  sendRequestId: Uuid,
  orgId: Uuid,
  mailboxId: Uuid,
  enrollmentId: Uuid.nullable(),
  sequenceId: Uuid.nullable(),
  stepNumber: z.int().min(1).nullable(),
  /** The Message-ID the provider actually used (providers may replace ours). */
  messageId: RfcMessageId,
  providerMessageId: z.string().max(500).nullable(),
  /** Gmail threadId / Graph conversationId, when the provider has one. */
  providerThreadId: z.string().max(500).nullable(),
  from: Address,
  to: z.array(Address).min(1),
  cc: z.array(Address),
  subject: z.string().max(998),
  tracking: z.object({ opens: z.boolean(), clicks: z.boolean(), trackedLinks: z.int().min(0) }),
  sentAt: Instant,
});
export type EmailSent = z.infer<typeof EmailSent>;

export const emailSentTopic = defineTopic({
  name: 'email.sent.v1',
  eventType: 'email.sent',
  title: 'Email sent',
  description: 'An email left the rep\'s mailbox. Carries the Message-ID and provider thread id reply detection matches on.',
  schema: EmailSent,
  keyOf: (p) => p.sentEmailId,
  keyDescription: 'sentEmailId',
  producers: ['sender'],
  consumers: ['sequencer', 'reply-detector', 'crm-writer', 'app'],
});
