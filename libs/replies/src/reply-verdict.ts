import type { BounceReason, InboundMessagePayload } from '@telltale/contracts';

export interface SentEmailRecord {
  sentEmailId: string;
  orgId: string;
  mailboxId: string;
  enrollmentId: string | null;
  sequenceId: string | null;
  messageId: string;
  providerThreadId: string | null;
  from: string;
  to: string[];
  cc: string[];
  sentAt: Date;
}

/** What an inbound message is, independent of whether we could tie it to an email we sent. */
export type VerdictKind = 'reply' | 'auto_reply' | 'bounce' | 'other';
export type Relation = 'prospect' | 'cc' | 'colleague' | 'other';
export type MatchRule =
  | 'in_reply_to'
  | 'references'
  | 'provider_thread'
  | 'thread_index'
  | 'enclosed_original'
  | 'prospect_address'
  | 'company_domain';
export type BounceSeverity = 'hard' | 'soft';

export interface BounceFacts {
  severity: BounceSeverity;
  statusCode: string | null;
  recipient: string | null;
  diagnostic: string | null;
  /** Why it failed at the address level; hard exactly for user_unknown, host_unknown, has_moved, not_accept. */
  reason?: BounceReason;
}

export interface ReplyVerdict {
  kind: VerdictKind;
  /** The email we sent that this message answers; null when nothing matched. */
  sent: SentEmailRecord | null;
  matchedBy: MatchRule | null;
  matchedMessageId: string | null;
  relation: Relation | null;
  bounce: BounceFacts | null;
  /** Out-of-office return date (YYYY-MM-DD) when an auto-reply states one. */
  returnDate: string | null;
  /** A human reply that asks us to stop mailing ("unsubscribe", "remove me"…); null otherwise. */
  unsubscribeRequest: import('./unsubscribe-request').UnsubscribeRequest | null;
  /** Messages from the rep, a teammate or the org's own domains: never a reply, whatever they look like. */
  fromOwnOrg: boolean;
  /** Every rule that fired, in order: the evidence an operator reads back. */
  reasons: string[];
}

export type InboundMessage = InboundMessagePayload;
