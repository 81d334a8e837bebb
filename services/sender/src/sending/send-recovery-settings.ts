export const SENDER_TEST_FAULT_KINDS = ['hang-before-provider-call', 'hang-after-provider-accepted', 'hang-after-accepted-recorded'] as const;
export interface SenderTestFault {
  kind: (typeof SENDER_TEST_FAULT_KINDS)[number];
  /** Only sends through this mailbox; null: every send. */
  mailboxId: string | null;
}

/** Nest token for SendRecoverySettings. */
export const SEND_RECOVERY_SETTINGS = Symbol('SEND_RECOVERY_SETTINGS');

/** How the sender settles a send whose outcome it did not record (ADR "the sender's crash window"). */
export interface SendRecoverySettings {
  /** After handing a message over, how long a provider may take to show it in the sent mail; not found before then proves nothing. */
  graceMs: number;
  /**
   * The same for IMAP/SMTP mailboxes, shorter: the only copy there is one the SMTP server files
   * itself (Gmail's, Exchange's), during or right after the submission.
   */
  smtpGraceMs: number;
  /** First wait before asking a provider again that did not answer (doubling, see backoffDelayMs). */
  recheckMs: number;
  maxRecheckMs: number;
  /** How long one question to the provider may take. */
  lookupTimeoutMs: number;
  /** How often the checker looks for checks that are due. */
  checkEveryMs: number;
  /** An intent nobody came back for (no redelivery) is taken up by the checker this long after its attempt. */
  orphanAfterMs: number;
  /** Test-only faults (SENDER_TEST_FAULT): where a send holds for a test to kill the process, for every mailbox or one. */
  faults: readonly SenderTestFault[];
}
