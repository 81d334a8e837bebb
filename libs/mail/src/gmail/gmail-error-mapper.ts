import { z } from 'zod';

import { httpErrorFacts, type HttpErrorFacts } from '../http-error-facts';
import { MailProviderError, type MailProviderErrorCode } from '../mail-provider-error';
import { retryAfterFromHeader } from '../retry-after-header';
import { SOCKET_ERROR_CODES } from '../socket-error-codes';

/** Google's JSON error envelope (https://developers.google.com/gmail/api/guides/handle-errors). */
const googleApiError = z.looseObject({
  error: z.looseObject({
    code: z.number().optional().catch(undefined),
    message: z.string().optional().catch(undefined),
    status: z.string().optional().catch(undefined),
    errors: z.array(z.looseObject({ reason: z.string().optional().catch(undefined), message: z.string().optional().catch(undefined) })).optional().catch(undefined),
    details: z.array(z.looseObject({ reason: z.string().optional().catch(undefined) })).optional().catch(undefined),
  }),
});

/** The OAuth 2.0 token endpoint's error body (RFC 6749 §5.2). */
const oauthError = z.looseObject({ error: z.string(), error_description: z.string().optional().catch(undefined) });

const RATE_REASONS = new Set(['ratelimitexceeded', 'userratelimitexceeded', 'dailylimitexceeded', 'quotaexceeded', 'concurrentlimitexceeded', 'rate_limit_exceeded']);
const PERMISSION_REASONS = new Set(['insufficientpermissions', 'access_token_scope_insufficient', 'domainpolicy', 'forbidden']);
const NETWORK_CODES = new Set(SOCKET_ERROR_CODES);

/** Where the failed call was made: only history.list turns a 404 into an expired cursor. */
export type GmailCallKind = 'history' | 'other';

export interface GmailErrorVerdict {
  code: MailProviderErrorCode;
  retryAfterMs?: number;
  providerStatus: string;
}

/** Gmail's "User-rate limit exceeded.  Retry after 2026-11-27T10:00:00.000Z" carries its own wait. */
function retryAfterFromMessage(message: string | undefined, now: Date): number | undefined {
  const match = /retry after (\d{4}-\d{2}-\d{2}T[0-9:.]+Z)/i.exec(message ?? '');
  if (!match) return undefined;
  const at = Date.parse(match[1]!);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/** Pure decision over what Google answered; table-tested with the bodies from Google's docs. */
export function classifyGmailResponse(facts: HttpErrorFacts, kind: GmailCallKind, now: Date): GmailErrorVerdict {
  const headerWait = retryAfterFromHeader(facts.retryAfter, now);
  const withWait = (code: MailProviderErrorCode, providerStatus: string, extra?: number): GmailErrorVerdict => {
    const wait = headerWait ?? extra;
    return wait === undefined ? { code, providerStatus } : { code, providerStatus, retryAfterMs: wait };
  };
  if (facts.status === undefined) {
    return { code: 'TEMPORARY', providerStatus: facts.networkCode !== undefined && NETWORK_CODES.has(facts.networkCode) ? facts.networkCode : 'no-response' };
  }
  const status = facts.status;
  const oauth = oauthError.safeParse(facts.body);
  if (oauth.success) {
    // Token endpoint: invalid_grant is Google's answer for a revoked or expired refresh token.
    const kindOf: Record<string, MailProviderErrorCode> = { invalid_grant: 'AUTH_REVOKED', invalid_token: 'AUTH_REVOKED', unauthorized_client: 'AUTH_REVOKED', invalid_scope: 'INSUFFICIENT_PERMISSIONS', temporarily_unavailable: 'TEMPORARY', server_error: 'TEMPORARY' };
    return withWait(kindOf[oauth.data.error] ?? (status >= 500 ? 'TEMPORARY' : 'PERMANENT'), `${status} ${oauth.data.error}`);
  }
  const api = googleApiError.safeParse(facts.body);
  const reasons = api.success ? [...(api.data.error.errors ?? []).map((e) => e.reason), ...(api.data.error.details ?? []).map((d) => d.reason)].filter((r): r is string => r !== undefined).map((r) => r.toLowerCase()) : [];
  const reason = reasons[0] ?? '';
  const providerStatus = reason ? `${status} ${reason}` : String(status);
  const message = api.success ? api.data.error.message : undefined;
  if (status === 429 || reasons.some((r) => RATE_REASONS.has(r))) return withWait('RATE_LIMITED', providerStatus, retryAfterFromMessage(message, now));
  if (status === 401) return { code: 'AUTH_REVOKED', providerStatus };
  if (status === 403) return { code: reasons.some((r) => PERMISSION_REASONS.has(r)) || reasons.length === 0 ? 'INSUFFICIENT_PERMISSIONS' : 'PERMANENT', providerStatus };
  // history.list answers 404 when startHistoryId is older than the history Gmail keeps (sync guide: "perform a full sync").
  if (status === 404 && kind === 'history') return { code: 'CURSOR_EXPIRED', providerStatus };
  if (status >= 500 || status === 408) return withWait('TEMPORARY', providerStatus);
  return { code: 'PERMANENT', providerStatus };
}

export function mapGmailError(error: unknown, kind: GmailCallKind = 'other', now: Date = new Date()): MailProviderError {
  if (error instanceof MailProviderError) return error;
  const facts = httpErrorFacts(error);
  const verdict = classifyGmailResponse(facts, kind, now);
  return new MailProviderError(`Gmail: ${facts.message}`, { code: verdict.code, provider: 'gmail', providerStatus: verdict.providerStatus, ...(verdict.retryAfterMs !== undefined ? { retryAfterMs: verdict.retryAfterMs } : {}), cause: error });
}
