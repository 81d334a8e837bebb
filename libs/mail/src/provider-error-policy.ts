import type { MailProviderError } from './mail-provider-error';
import { reconnectDelayMs, type ReconnectBackoff } from './reconnect-backoff';

/**
 * What to do after a provider call failed. One policy for every provider and both directions
 * (sync and send), so a Gmail 401, a Graph 410 and an IMAP AUTHENTICATIONFAILED are handled alike:
 *  - retry: try the same call again after delayMs;
 *  - reconnect: the grant or password no longer works; the mailbox goes to needs_reconnect, its
 *    sends stop and the user is told; retrying cannot help;
 *  - resync: the sync cursor is gone; start a full sync of the recent window (never a crash loop);
 *  - dead-letter: this one operation can never succeed; park it with the reason.
 */
export type ProviderErrorAction =
  | { action: 'retry'; delayMs: number }
  | { action: 'reconnect'; reason: string }
  | { action: 'resync' }
  | { action: 'dead-letter'; reason: string };

export interface ProviderErrorPolicyOptions {
  /** 'sync' keeps following a mailbox forever; 'send' gives up on one message after maxAttempts. */
  operation: 'sync' | 'send';
  /** 1-based number of the attempt that just failed. */
  attempt: number;
  backoff: ReconnectBackoff;
  /** Attempts before a send that keeps failing temporarily is dead-lettered. */
  maxSendAttempts?: number;
  random?: () => number;
}

export const DEFAULT_MAX_SEND_ATTEMPTS = 8;

export function decideProviderErrorAction(error: Pick<MailProviderError, 'code' | 'retryAfterMs' | 'message'>, options: ProviderErrorPolicyOptions): ProviderErrorAction {
  const random = options.random ?? Math.random;
  const maxSendAttempts = options.maxSendAttempts ?? DEFAULT_MAX_SEND_ATTEMPTS;
  switch (error.code) {
    case 'AUTH_REVOKED':
      return { action: 'reconnect', reason: 'The mailbox authorization was revoked or has expired.' };
    case 'INSUFFICIENT_PERMISSIONS':
      return { action: 'reconnect', reason: 'The mailbox authorization lacks a permission Telltale needs.' };
    case 'CURSOR_EXPIRED':
      // A send has no cursor; seeing this there means the adapter is wrong, so park the send.
      return options.operation === 'sync' ? { action: 'resync' } : { action: 'dead-letter', reason: error.message };
    case 'PERMANENT':
      return { action: 'dead-letter', reason: error.message };
    case 'RATE_LIMITED':
    case 'TEMPORARY': {
      if (options.operation === 'send' && options.attempt >= maxSendAttempts) return { action: 'dead-letter', reason: `gave up after ${options.attempt} attempts: ${error.message}` };
      // The provider's own Retry-After wins when it asks for longer than our backoff (Graph throttling guidance).
      return { action: 'retry', delayMs: reconnectDelayMs(options.attempt, options.backoff, random, error.retryAfterMs) };
    }
  }
}
