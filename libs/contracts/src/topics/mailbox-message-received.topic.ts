import { z } from 'zod';
import { defineTopic } from '../topic-definition';
import { Address, Instant, Uuid } from '../primitives';

/**
 * The size limits of an inbound message event. Mail from the internet can exceed any of them (a
 * 5 000-character subject, 600 References ids); mailbox-sync cuts such a message down to these
 * limits, names what it cut in `truncated`, and publishes it, so no message can stall a mailbox.
 */
export const INBOUND_MESSAGE_LIMITS = {
  providerIdChars: 500,
  folderChars: 500,
  /** RFC 5322 §2.1.1 line limit; one msg-id can never be longer. Counted in UTF-8 bytes (it is indexed). */
  messageIdBytes: 998,
  inReplyToIds: 200,
  referencesIds: 500,
  headerValueChars: 4000,
  subjectChars: 4000,
  contentTypeChars: 1000,
  addressChars: 320,
  addressNameChars: 998,
  toAddresses: 1000,
  ccAddresses: 1000,
  replyToAddresses: 100,
  textBodyChars: 64 * 1024,
  deliveryStatusRecipients: 100,
  enclosedHeaders: 200,
  enclosedHeaderNameChars: 200,
  truncatedFields: 50,
  /** The whole event, JSON in UTF-8: far below Kafka's default 1 MB message limit. */
  eventBytes: 256 * 1024,
} as const;

const L = INBOUND_MESSAGE_LIMITS;
const HeaderValue = z.string().max(L.headerValueChars).nullable();
const MsgId = z.string().max(L.messageIdBytes).refine((id) => Buffer.byteLength(id, 'utf8') <= L.messageIdBytes, `must be at most ${L.messageIdBytes} bytes`);

/** Why mailbox-sync did not read a message's body; its header fields are still complete. */
export const InboundBodySkipReason = z.enum(['too-large', 'too-many-parts', 'too-deep']);
export type InboundBodySkipReason = z.infer<typeof InboundBodySkipReason>;

/**
 * An inbound message, normalised to what reply detection needs (issue: mailbox connections).
 * Mirrors `InboundMessage` of @telltale/mail; the body is size-capped text only.
 */
export const InboundMessage = z.object({
  providerMessageId: z.string().min(1).max(L.providerIdChars),
  providerThreadId: z.string().max(L.providerIdChars).nullable(),
  folder: z.string().max(L.folderChars),
  messageId: MsgId.nullable(),
  inReplyTo: z.array(MsgId).max(L.inReplyToIds),
  references: z.array(MsgId).max(L.referencesIds),
  threadIndex: HeaderValue,
  threadTopic: HeaderValue,
  from: Address.nullable(),
  sender: Address.nullable(),
  to: z.array(Address).max(L.toAddresses),
  cc: z.array(Address).max(L.ccAddresses),
  replyTo: z.array(Address).max(L.replyToAddresses),
  subject: z.string().max(L.subjectChars).nullable(),
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
  contentType: z.string().max(L.contentTypeChars),
  reportType: HeaderValue,
  textBody: z.string().max(L.textBodyChars).nullable(),
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
    .max(L.deliveryStatusRecipients),
  enclosedOriginal: z
    .object({
      messageId: HeaderValue,
      subject: HeaderValue,
      from: HeaderValue,
      to: HeaderValue,
      headers: z.record(z.string().max(L.enclosedHeaderNameChars), z.string().max(L.headerValueChars)),
    })
    .nullable(),
  sizeBytes: z.int().min(0),
  /**
   * Set when the body was not read because the message exceeded a limit of mailbox-sync (raw size,
   * MIME parts, nesting depth); the header fields are complete, textBody is null. Absent in events
   * published before this field existed.
   */
  bodySkipped: InboundBodySkipReason.optional(),
  /**
   * The fields that were longer than this contract allows and were cut to fit (e.g. "subject",
   * "references", "to"); lists keep the entries that matter most for matching (the first and the
   * latest References ids). Absent or empty when nothing was cut.
   */
  truncated: z.array(z.string().max(100)).max(L.truncatedFields).optional(),
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
