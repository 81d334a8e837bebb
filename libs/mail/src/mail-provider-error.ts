/**
 * One error type for every mail provider adapter (SMTP, IMAP, and later Gmail and Graph), so a
 * single place in each service decides what to do: retry, reconnect, resync, ask the user to
 * reconnect the mailbox, or dead-letter (STYLE.md §4).
 */
export const MAIL_PROVIDER_ERROR_CODES = [
  'RATE_LIMITED',
  'AUTH_REVOKED',
  'INSUFFICIENT_PERMISSIONS',
  'CURSOR_EXPIRED',
  'TEMPORARY',
  'PERMANENT',
] as const;

export type MailProviderErrorCode = (typeof MAIL_PROVIDER_ERROR_CODES)[number];

export type MailProvider = 'smtp' | 'imap' | 'gmail' | 'graph';

export interface MailProviderErrorOptions {
  code: MailProviderErrorCode;
  provider: MailProvider;
  /** How long the provider asked us to wait, when it said so. */
  retryAfterMs?: number;
  /** The provider's own status, e.g. an SMTP reply code or an IMAP response code, for logs and metrics. */
  providerStatus?: string;
  cause?: unknown;
}

export class MailProviderError extends Error {
  readonly code: MailProviderErrorCode;
  readonly provider: MailProvider;
  readonly retryAfterMs?: number;
  readonly providerStatus?: string;

  constructor(message: string, options: MailProviderErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MailProviderError';
    this.code = options.code;
    this.provider = options.provider;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.providerStatus !== undefined) this.providerStatus = options.providerStatus;
  }

  /** Whether trying the same operation again later can succeed without the user doing anything. */
  get retryable(): boolean {
    return this.code === 'TEMPORARY' || this.code === 'RATE_LIMITED';
  }
}

export function isMailProviderError(value: unknown): value is MailProviderError {
  return value instanceof MailProviderError;
}
