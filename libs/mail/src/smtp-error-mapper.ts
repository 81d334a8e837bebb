import { z } from 'zod';

import { MailProviderError, type MailProviderErrorCode } from './mail-provider-error';
import { retryAfterFromText } from './retry-after-hint';
import { SOCKET_ERROR_CODES } from './socket-error-codes';

/** The fields nodemailer puts on the errors it raises (nodemailer `errors.d.ts`, NodemailerError). */
const nodemailerErrorShape = z.looseObject({
  message: z.string().optional().catch(undefined),
  code: z.string().optional().catch(undefined),
  responseCode: z.number().int().optional().catch(undefined),
  response: z.string().optional().catch(undefined),
  command: z.string().optional().catch(undefined),
});

/** Errors that say nothing about the message or the account: the connection failed. */
const CONNECTION_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'EPROXY',
  'EMAXLIMIT',
  ...SOCKET_ERROR_CODES,
]);

/** Errors about the message or the configuration: sending the same thing again fails the same way. */
const PERMANENT_CODES = new Set([
  'EENVELOPE',
  'EMESSAGE',
  'ECONFIG',
  'EREQUIRETLS',
  'EMAXRECIPIENTS',
  'EOTP',
  'EFILEACCESS',
  'EURLACCESS',
]);

const CREDENTIAL_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2']);

/**
 * Providers signal sending limits in the reply text and the RFC 3463 enhanced status code rather
 * than in the basic reply code: Gmail 550 5.4.5 "Daily user sending limit exceeded" and 421 4.7.28,
 * Microsoft 554 5.2.0 "SubmissionQuotaExceededException", Gmail 454 4.7.0 "Too many login attempts".
 */
const RATE_LIMIT_TEXT = /rate limit|sending limit|limit exceeded|quota|too many (?:messages|connections|login)|too (?:fast|quickly)|throttl/i;
const RATE_LIMIT_STATUS = /^(?:[45]\.4\.5|4\.7\.28)$/;

/** Microsoft 550 5.7.60 "SendAsDenied": the mailbox may not send as the From address. */
const PERMISSION_TEXT = /sendasdenied|permissions? to send as|not (?:allowed|authori[sz]ed|permitted) to send (?:as|on behalf)/i;
const PERMISSION_STATUS = /^5\.7\.60$/;

const ENHANCED_STATUS = /\b([245]\.\d{1,3}\.\d{1,3})\b/;

export interface SmtpReplyClassification {
  code: MailProviderErrorCode;
  retryAfterMs?: number;
}

/** Decides what an SMTP reply (RFC 5321 §4.2) means for the sender. Pure, table-tested. */
export function classifySmtpReply(responseCode: number, responseText: string): SmtpReplyClassification {
  const enhanced = ENHANCED_STATUS.exec(responseText)?.[1] ?? null;
  const retryAfterMs = retryAfterFromText(responseText);
  // X.2.2 is the recipient's mailbox being full (RFC 3463 §3.3), a quota that is not ours to wait out.
  const recipientMailboxFull = enhanced !== null && enhanced.endsWith('.2.2');
  const rateLimited =
    !recipientMailboxFull &&
    (RATE_LIMIT_TEXT.test(responseText) || (enhanced !== null && RATE_LIMIT_STATUS.test(enhanced)));

  // RFC 4954 §6: 535 credentials invalid, 534 mechanism too weak (Gmail uses it for "application
  // specific password required"), 530 authentication required.
  if (responseCode === 535 || responseCode === 534 || responseCode === 530) return { code: 'AUTH_REVOKED' };
  if (PERMISSION_TEXT.test(responseText) || (enhanced !== null && PERMISSION_STATUS.test(enhanced))) {
    return { code: 'INSUFFICIENT_PERMISSIONS' };
  }
  if (rateLimited && responseCode >= 400 && responseCode < 600) {
    return retryAfterMs === undefined ? { code: 'RATE_LIMITED' } : { code: 'RATE_LIMITED', retryAfterMs };
  }
  // RFC 5321 §4.2.1: 4yz is a transient failure. 503 (bad sequence of commands) is a session-state
  // problem, not a verdict on the message, so a new connection can succeed (nodemailer treats it the same).
  if ((responseCode >= 400 && responseCode < 500) || responseCode === 503) {
    return retryAfterMs === undefined ? { code: 'TEMPORARY' } : { code: 'TEMPORARY', retryAfterMs };
  }
  if (responseCode >= 500 && responseCode < 600) return { code: 'PERMANENT' };
  // A 2yz/3yz reply where the client expected something else: the session went wrong, try again.
  return { code: 'TEMPORARY' };
}

/** Maps anything nodemailer throws to a MailProviderError. */
export function mapSmtpError(error: unknown): MailProviderError {
  if (error instanceof MailProviderError) return error;
  const parsed = nodemailerErrorShape.safeParse(error);
  const fields = parsed.success ? parsed.data : {};
  const message = fields.message ?? String(error);
  const errorCode = fields.code;

  if (fields.responseCode !== undefined) {
    const responseText = fields.response ?? message;
    const verdict = classifySmtpReply(fields.responseCode, responseText);
    return new MailProviderError(`SMTP ${fields.command ?? 'command'} failed: ${responseText}`, {
      code: verdict.code,
      provider: 'smtp',
      providerStatus: String(fields.responseCode),
      cause: error,
      ...(verdict.retryAfterMs === undefined ? {} : { retryAfterMs: verdict.retryAfterMs }),
    });
  }

  let code: MailProviderErrorCode = 'TEMPORARY';
  if (errorCode !== undefined && CREDENTIAL_CODES.has(errorCode)) code = 'AUTH_REVOKED';
  else if (errorCode !== undefined && PERMANENT_CODES.has(errorCode)) code = 'PERMANENT';
  else if (errorCode !== undefined && CONNECTION_CODES.has(errorCode)) code = 'TEMPORARY';
  return new MailProviderError(`SMTP failed: ${message}`, {
    code,
    provider: 'smtp',
    cause: error,
    ...(errorCode === undefined ? {} : { providerStatus: errorCode }),
  });
}
