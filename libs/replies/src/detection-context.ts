import type { SentEmailRecord } from './reply-verdict';

/**
 * Everything the classifier may know besides the message itself, as plain data. The service fills
 * it with database lookups, the CLI and the corpus tests from a list of sent emails
 * (`contextFromSentList`); the classifier cannot tell the difference.
 */
export interface DetectionContext {
  /** The connected mailbox (the rep). */
  mailboxAddress: string;
  /** The org's own domains (the mailbox owners' domains), lower-case. */
  orgDomains: ReadonlySet<string>;
  /** Addresses of the rep's teammates (other mailbox owners of the org), lower-case. */
  teammates: ReadonlySet<string>;
  freeMailDomains: ReadonlySet<string>;
  /** Sent emails whose Message-ID is one the message refers to (any order). */
  sentByMessageIds: ReadonlyMap<string, SentEmailRecord>;
  /** Sent emails in the provider thread of the inbound message, newest first. */
  sentInProviderThread: readonly SentEmailRecord[];
  /** Sent emails known to belong to the Outlook conversation of the message's Thread-Index, newest first. */
  sentInThreadIndexConversation: readonly SentEmailRecord[];
  /** Sent emails to the sender's exact address within the active window, newest first. */
  recentSentToAddress: readonly SentEmailRecord[];
  /** Sent emails to anyone at the sender's (non-free-mail) domain within the active window, newest first. */
  recentSentToDomain: readonly SentEmailRecord[];
}

/** How long after a send an out-of-thread message from that company still counts (the campaign is active). */
export const DEFAULT_ACTIVE_WINDOW_DAYS = 30;
