import type { Address } from './address';
import type { InboundBodySkipReason } from '@telltale/contracts';
import type { DeliveryStatusRecipient } from './delivery-status-parser';

/**
 * Header values that tell an automatic message from a human one, copied as the message carries them
 * (unfolded and trimmed, first occurrence). Interpreting them is the reply detector's job.
 */
export interface AutoReplyMarkers {
  /** RFC 3834 §5 Auto-Submitted. */
  autoSubmitted: string | null;
  /** Precedence (RFC 3834 §3.1.8 mentions it; bulk/list/junk/auto_reply in practice). */
  precedence: string | null;
  xAutoreply: string | null;
  xAutorespond: string | null;
  /** Microsoft [MS-OXCMAIL] §2.1.3.2.20; it asks *others* not to auto-reply, it does not mark this message as one. */
  xAutoResponseSuppress: string | null;
  xMsExchangeAutoReply?: string | null;
  /** Set by many MTAs on bounces (e.g. Exim, Gmail). */
  xFailedRecipients: string | null;
  /** "<>" is the null reverse-path of a bounce or auto-reply (RFC 5321 §4.5.5). */
  returnPath: string | null;
}

/** The headers of the message a bounce returns (message/rfc822, message/global or text/rfc822-headers part). */
export interface EnclosedOriginal {
  messageId: string | null;
  subject: string | null;
  from: string | null;
  to: string | null;
  /** Every header of the enclosed message: lower-cased name → unfolded raw value of its first occurrence. */
  headers: Record<string, string>;
}

/** What mailbox-sync publishes about one received message; mirrored as a zod schema in @telltale/contracts. */
export interface InboundMessage {
  providerMessageId: string;
  providerThreadId: string | null;
  folder: string;
  /** With angle brackets, e.g. "<abc@x>". */
  messageId: string | null;
  /** Every msg-id, angle-bracketed, in order. */
  inReplyTo: string[];
  references: string[];
  /** Outlook's base64 Thread-Index header, as sent. */
  threadIndex: string | null;
  threadTopic: string | null;
  from: Address | null;
  sender: Address | null;
  to: Address[];
  cc: Address[];
  replyTo: Address[];
  subject: string | null;
  /** The Date header as ISO 8601, null when missing or unreadable. */
  date: string | null;
  /** When the mailbox received it (IMAP INTERNALDATE, provider receive time), ISO 8601. */
  receivedAt: string;
  autoReplyMarkers: AutoReplyMarkers;
  listId: string | null;
  listUnsubscribe: string | null;
  /** Top-level media type, lower-cased, e.g. "multipart/report". */
  contentType: string;
  /** The report-type parameter of a multipart/report (RFC 6522), e.g. "delivery-status". */
  reportType: string | null;
  /** Plain text body, size-capped; text derived from the HTML when there is no text part. */
  textBody: string | null;
  textBodyTruncated: boolean;
  /** RFC 3464 per-recipient fields of every delivery-status part. */
  deliveryStatus: DeliveryStatusRecipient[];
  enclosedOriginal: EnclosedOriginal | null;
  /** The message's full size in bytes, also when only part of it was fetched. */
  sizeBytes: number;
  /** The body was not read because the message exceeded a limit; the header fields are complete. */
  bodySkipped?: InboundBodySkipReason;
  /** Fields cut to fit the event contract (INBOUND_MESSAGE_LIMITS of @telltale/contracts). */
  truncated?: string[];
}

/** A message that could not be turned into an InboundMessage: recorded as such, never retried for ever. */
export interface UnreadableMessage {
  providerMessageId: string;
  folder: string;
  /** Why, in words fit for an operator: never message content. */
  reason: string;
}
