import { z } from 'zod';
import { defineTopic } from '../topic-definition';
import { Address, Instant, Uuid } from '../primitives';

const HeaderValue = z.string().max(4000).nullable();

/**
 * An inbound message, normalised to what reply detection needs (issue: mailbox connections).
 * Mirrors `InboundMessage` of @telltale/mail; the body is size-capped text only.
 */
export const InboundMessage = z.object({
  providerMessageId: z.string().min(1).max(500),
  providerThreadId: z.string().max(500).nullable(),
  folder: z.string().max(500),
  messageId: z.string().max(998).nullable(),
  inReplyTo: z.array(z.string().max(998)).max(200),
  references: z.array(z.string().max(998)).max(500),
  threadIndex: HeaderValue,
  threadTopic: HeaderValue,
  from: Address.nullable(),
  sender: Address.nullable(),
  to: z.array(Address).max(1000),
  cc: z.array(Address).max(1000),
  replyTo: z.array(Address).max(100),
  subject: z.string().max(4000).nullable(),
  date: Instant.nullable(),
  receivedAt: Instant,
  autoReplyMarkers: z.object({
    autoSubmitted: HeaderValue,
    precedence: HeaderValue,
    xAutoreply: HeaderValue,
    xAutorespond: HeaderValue,
    xAutoResponseSuppress: HeaderValue,
    xMsExchangeAutoReply: HeaderValue.optional(),
    xFailedRecipients: HeaderValue,
    returnPath: HeaderValue,
  }),
  listId: HeaderValue,
  listUnsubscribe: HeaderValue,
  contentType: z.string().max(1000),
  reportType: HeaderValue,
  textBody: z.string().max(64 * 1024).nullable(),
  textBodyTruncated: z.boolean(),
  deliveryStatus: z
    .array(
      z.object({
        action: HeaderValue,
        status: HeaderValue,
        finalRecipient: HeaderValue,
        diagnosticCode: HeaderValue,
      }),
    )
    .max(100),
  enclosedOriginal: z
    .object({
      messageId: HeaderValue,
      subject: HeaderValue,
      from: HeaderValue,
      to: HeaderValue,
      headers: z.record(z.string(), z.string().max(4000)),
    })
    .nullable(),
  sizeBytes: z.int().min(0),
});
export type InboundMessagePayload = z.infer<typeof InboundMessage>;

export const MailboxMessageReceived = z.object({
  orgId: Uuid,
  mailboxId: Uuid,
  /** The mailbox owner (the rep), so reply detection can tell the rep's own mail apart. */
  mailboxAddress: z.string().max(320),
  message: InboundMessage,
});
export type MailboxMessageReceived = z.infer<typeof MailboxMessageReceived>;

export const mailboxMessageReceivedTopic = defineTopic({
  name: 'mailbox.message-received.v1',
  eventType: 'mailbox.message-received',
  title: 'Mailbox message received',
  description:
    'A new message appeared in a connected mailbox (any folder). One event per provider message id; carries headers and a size-capped text body for reply detection.',
  schema: MailboxMessageReceived,
  keyOf: (p) => p.mailboxId,
  keyDescription: 'mailboxId',
  producers: ['mailbox-sync'],
  consumers: ['reply-detector'],
});
