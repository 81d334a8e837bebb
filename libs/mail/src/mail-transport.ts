export interface OutboundRawMessage {
  raw: Buffer;
  envelope: { from: string; to: string[] };
}

export interface SendResult {
  /**
   * The Message-ID the recipients will see. Some providers replace ours (Graph and SES do), so
   * callers index replies by this value, not by what they composed.
   */
  messageId: string;
  /** The provider's id for the stored sent message, when it has one (Gmail message id, Graph item id). */
  providerMessageId: string | null;
  providerThreadId: string | null;
  /** Recipients the server refused while accepting the rest (SMTP RFC 5321 §3.3 allows a partial accept). */
  rejectedRecipients?: string[];
}

/**
 * Sends a fully composed message through the rep's own mailbox. Implementations throw
 * MailProviderError and nothing else, so the sender decides retry versus dead-letter by code.
 */
export interface MailTransport {
  send(message: OutboundRawMessage): Promise<SendResult>;
}
