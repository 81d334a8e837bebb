import type { InboundMessagePayload } from '@telltale/contracts';

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

export type VerdictKind = 'reply' | 'auto_reply' | 'bounce' | 'other' | 'unmatched' | 'ignored';
export type Relation = 'prospect' | 'cc' | 'colleague' | 'other';
export type MatchRule = 'in_reply_to' | 'references' | 'provider_thread';

export interface ReplyVerdict {
  kind: VerdictKind;
  sent: SentEmailRecord | null;
  matchedBy: MatchRule | null;
  matchedMessageId: string | null;
  relation: Relation | null;
  bounce: { severity: 'hard' | 'soft'; statusCode: string | null; recipient: string | null; diagnostic: string | null } | null;
  /** Every rule that fired, in order: the evidence an operator reads back. */
  reasons: string[];
}

export type InboundMessage = InboundMessagePayload;
