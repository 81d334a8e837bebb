import { z } from 'zod';

import { MailProviderError, type MailProviderErrorCode } from './mail-provider-error';
import { retryAfterFromText } from './retry-after-hint';
import { SOCKET_ERROR_CODES } from './socket-error-codes';

/** The fields imapflow puts on the errors it raises (imapflow `errors.d.ts`, ImapFlowError). */
const imapflowErrorShape = z.looseObject({
  message: z.string().optional().catch(undefined),
  code: z.string().optional().catch(undefined),
  authenticationFailed: z.boolean().optional().catch(undefined),
  tlsFailed: z.boolean().optional().catch(undefined),
  responseStatus: z.string().optional().catch(undefined),
  responseText: z.string().optional().catch(undefined),
  serverResponseCode: z.string().optional().catch(undefined),
  mailboxMissing: z.boolean().optional().catch(undefined),
  throttleReset: z.number().optional().catch(undefined),
});

/**
 * RFC 5530 §3 response codes, plus THROTTLED which some large providers send in the same place.
 * The code is what the server says about the failure, so it wins over everything else we know.
 */
const RESPONSE_CODE_VERDICTS: Record<string, MailProviderErrorCode> = {
  UNAVAILABLE: 'TEMPORARY',
  AUTHENTICATIONFAILED: 'AUTH_REVOKED',
  AUTHORIZATIONFAILED: 'AUTH_REVOKED',
  EXPIRED: 'AUTH_REVOKED',
  PRIVACYREQUIRED: 'PERMANENT',
  CONTACTADMIN: 'PERMANENT',
  NOPERM: 'INSUFFICIENT_PERMISSIONS',
  INUSE: 'TEMPORARY',
  EXPUNGEISSUED: 'TEMPORARY',
  CORRUPTION: 'TEMPORARY',
  SERVERBUG: 'TEMPORARY',
  CLIENTBUG: 'PERMANENT',
  CANNOT: 'PERMANENT',
  LIMIT: 'RATE_LIMITED',
  OVERQUOTA: 'PERMANENT',
  ALREADYEXISTS: 'PERMANENT',
  NONEXISTENT: 'PERMANENT',
  TRYCREATE: 'PERMANENT',
  THROTTLED: 'RATE_LIMITED',
};

/** imapflow codes for a connection that failed or went away; Node's socket codes pass through too. */
const CONNECTION_CODES = new Set([
  'NoConnection',
  'EConnectionClosed',
  'ClosedAfterConnectText',
  'ClosedAfterConnectTLS',
  'CONNECT_TIMEOUT',
  'GREETING_TIMEOUT',
  'UPGRADE_TIMEOUT',
  'ETIMEOUT',
  'LockTimeout',
  'PollFailed',
  'ProxyError',
  'EPROXY',
  ...SOCKET_ERROR_CODES,
]);

/** Options that can never work against this server: reconnecting does not help. */
const PERMANENT_CODES = new Set(['MissingServerExtension', 'UnsupportedTransportOption', 'ERR_INVALID_URL', 'UnsupportedProxyAddress']);

export interface ImapFailureFacts {
  code?: string;
  authenticationFailed?: boolean;
  tlsFailed?: boolean;
  responseStatus?: string;
  serverResponseCode?: string;
  mailboxMissing?: boolean;
}

/** Decides what an IMAP failure means for the follower. Pure, table-tested. */
export function classifyImapFailure(facts: ImapFailureFacts): MailProviderErrorCode {
  const responseCode = facts.serverResponseCode?.toUpperCase();
  if (responseCode !== undefined) {
    const verdict = RESPONSE_CODE_VERDICTS[responseCode];
    if (verdict !== undefined) return verdict;
  }
  if (facts.code === 'ETHROTTLE') return 'RATE_LIMITED';
  if (facts.authenticationFailed === true) return 'AUTH_REVOKED';
  if (facts.mailboxMissing === true) return 'PERMANENT';
  if (facts.code !== undefined && PERMANENT_CODES.has(facts.code)) return 'PERMANENT';
  if (facts.tlsFailed === true) return 'TEMPORARY';
  if (facts.code !== undefined && (CONNECTION_CODES.has(facts.code) || facts.code.startsWith('ParserError'))) {
    return 'TEMPORARY';
  }
  // RFC 9051 §7.1: NO is an operational failure (may work later), BAD a protocol error (will not).
  const status = facts.responseStatus?.toUpperCase();
  if (status === 'BAD') return 'PERMANENT';
  return 'TEMPORARY';
}

/** Maps anything imapflow throws or emits to a MailProviderError. */
export function mapImapError(error: unknown): MailProviderError {
  if (error instanceof MailProviderError) return error;
  const parsed = imapflowErrorShape.safeParse(error);
  const fields = parsed.success ? parsed.data : {};
  const facts: ImapFailureFacts = {};
  if (fields.code !== undefined) facts.code = fields.code;
  if (fields.authenticationFailed !== undefined) facts.authenticationFailed = fields.authenticationFailed;
  if (fields.tlsFailed !== undefined) facts.tlsFailed = fields.tlsFailed;
  if (fields.responseStatus !== undefined) facts.responseStatus = fields.responseStatus;
  if (fields.serverResponseCode !== undefined) facts.serverResponseCode = fields.serverResponseCode;
  if (fields.mailboxMissing !== undefined) facts.mailboxMissing = fields.mailboxMissing;
  const code = classifyImapFailure(facts);

  const detail = fields.responseText ?? fields.message ?? String(error);
  let retryAfterMs: number | undefined;
  if (code === 'RATE_LIMITED') {
    retryAfterMs = fields.throttleReset !== undefined && fields.throttleReset > 0 ? fields.throttleReset : retryAfterFromText(detail);
  }
  const providerStatus = fields.serverResponseCode ?? fields.responseStatus ?? fields.code;
  return new MailProviderError(`IMAP failed: ${detail}`, {
    code,
    provider: 'imap',
    cause: error,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(providerStatus === undefined ? {} : { providerStatus }),
  });
}
