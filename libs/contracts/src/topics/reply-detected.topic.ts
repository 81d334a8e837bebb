import { z } from 'zod';
import { defineTopic } from '../topic-definition';
import { Address, CalendarDate, Instant, Uuid } from '../primitives';

export const ReplyKind = z.enum(['reply', 'auto_reply']);
export const ReplyRelation = z.enum(['prospect', 'cc', 'colleague', 'other']);
export const MatchRule = z.enum([
  'in_reply_to',
  'references',
  'provider_thread',
  'thread_index',
  'enclosed_original',
  'prospect_address',
  'company_domain',
]);

export const ReplyDetected = z.object({
  replyId: Uuid,
  orgId: Uuid,
  mailboxId: Uuid,
  sentEmailId: Uuid,
  enrollmentId: Uuid.nullable(),
  sequenceId: Uuid.nullable(),
  kind: ReplyKind,
  relation: ReplyRelation,
  matchedBy: MatchRule,
  from: Address,
  /** The RFC Message-ID of the inbound message. */
  inboundMessageId: z.string().max(998).nullable(),
  providerMessageId: z.string().max(500),
  subject: z.string().max(4000).nullable(),
  /** A short excerpt for the activity log; the full body stays in the mailbox. */
  snippet: z.string().max(500).nullable(),
  /** Out-of-office return date when the auto-reply states one. */
  returnDate: CalendarDate.nullable(),
  /**
   * True when a human reply asks to stop mailing ("unsubscribe", "remove me", "bitte keine E-Mails
   * mehr"…, in the languages the out-of-office detector knows). Absent otherwise, and on events
   * published before it existed.
   */
  unsubscribeRequested: z.boolean().optional(),
  receivedAt: Instant,
  detectedAt: Instant,
});
export type ReplyDetected = z.infer<typeof ReplyDetected>;

export const replyDetectedTopic = defineTopic({
  name: 'reply.detected.v1',
  eventType: 'reply.detected',
  title: 'Reply detected',
  description: 'An inbound message was matched to an email Telltale sent: a human reply or an auto-reply, with who replied (relation) and which rule matched.',
  schema: ReplyDetected,
  keyOf: (p) => p.enrollmentId ?? p.sentEmailId,
  keyDescription: 'enrollmentId, or sentEmailId for one-off sends',
  producers: ['reply-detector'],
  consumers: ['sequencer', 'crm-writer', 'app'],
});
