import { z } from 'zod';
import { InvalidActivityError } from './salesforce-activity.types';

/**
 * One place that turns whatever jsforce threw into a coded error the consumer acts on:
 * AUTH_REVOKED → mark the connection for reconnecting, RATE_LIMITED → wait, TEMPORARY →
 * retry with backoff, NOT_FOUND → the referenced record is gone, PERMANENT → dead-letter.
 *
 * Codes and statuses from REST API "Status Codes and Error Responses" and the
 * OAuth 2.0 token endpoint's error responses.
 */

export type SalesforceErrorCode = 'AUTH_REVOKED' | 'RATE_LIMITED' | 'TEMPORARY' | 'PERMANENT' | 'NOT_FOUND';

export interface MappedSalesforceError {
  code: SalesforceErrorCode;
  message: string;
  retryAfterMs?: number;
}

/** REQUEST_LIMIT_EXCEEDED on the rolling 24-hour TotalRequests allocation frees up slowly. */
export const DAILY_LIMIT_RETRY_MS = 60 * 60 * 1000;
/** Concurrent-request limits clear as soon as long requests finish. */
export const CONCURRENCY_LIMIT_RETRY_MS = 30 * 1000;

const AUTH_REVOKED_CODES = new Set([
  'INVALID_SESSION_ID',
  'INVALID_AUTH_HEADER',
  'API_DISABLED_FOR_ORG',
  'API_CURRENTLY_DISABLED',
  'ERROR_HTTP_401',
]);
/** OAuth token endpoint errors that mean the stored credentials no longer work. */
const OAUTH_AUTH_ERRORS = new Set([
  'invalid_grant',
  'invalid_client',
  'invalid_client_id',
  'unauthorized_client',
  'inactive_user',
  'inactive_org',
  'invalid_app_access',
]);
const TEMPORARY_CODES = new Set([
  'UNABLE_TO_LOCK_ROW',
  'SERVER_UNAVAILABLE',
  'UNKNOWN_EXCEPTION',
  'QUERY_TIMEOUT',
  'REQUEST_RUNNING_TOO_LONG',
  'temporarily_unavailable',
  'server_error',
]);
const NOT_FOUND_CODES = new Set(['NOT_FOUND', 'ENTITY_IS_DELETED', 'INVALID_CROSS_REFERENCE_KEY']);
/** Socket-level failures undici reports as the `cause` of "fetch failed". */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
/** jsforce prefixes every failed session refresh (re-login or refresh token) with this. */
const REFRESH_FAILURE = /^Unable to refresh session due to:/;

const apiErrorShape = z.object({ errorCode: z.string(), message: z.string() });
const collectionErrorShape = z.object({ errorCode: z.string().optional(), statusCode: z.string().optional(), message: z.string() });
const codedShape = z.object({ code: z.string() });
const MESSAGE_MAX = 500;

export function mapSalesforceError(err: unknown): MappedSalesforceError {
  if (err instanceof InvalidActivityError || err instanceof z.ZodError) {
    return { code: 'PERMANENT', message: err.message };
  }
  if (!(err instanceof Error)) return { code: 'TEMPORARY', message: `non-error thrown: ${String(err)}` };

  const network = networkCode(err);
  if (network) return { code: 'TEMPORARY', message: `network failure (${network}) talking to Salesforce` };
  if (err.name === 'AbortError' || err.name === 'TimeoutError') {
    return { code: 'TEMPORARY', message: 'request to Salesforce timed out' };
  }
  if (REFRESH_FAILURE.test(err.message)) {
    // jsforce keeps only the message of what failed; a login server we could not reach is not a revoked grant.
    const unreachable = /fetch failed|ECONN|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|socket/i.test(err.message);
    return { code: unreachable ? 'TEMPORARY' : 'AUTH_REVOKED', message: brief(err.message) };
  }
  if (OAUTH_AUTH_ERRORS.has(err.name)) return { code: 'AUTH_REVOKED', message: brief(`${err.name}: ${err.message}`) };
  if (TEMPORARY_CODES.has(err.name)) return { code: 'TEMPORARY', message: brief(`${err.name}: ${err.message}`) };

  const api = apiErrorShape.safeParse(err);
  if (api.success) return mapApiError(firstError(api.data.errorCode, api.data.message, err));
  return { code: 'TEMPORARY', message: brief(err.message) };
}

/** jsforce reports a response with several errors as MULTIPLE_API_ERRORS; the first decides. */
function firstError(errorCode: string, message: string, err: Error): { errorCode: string; message: string } {
  if (errorCode !== 'MULTIPLE_API_ERRORS') return { errorCode, message };
  const data = z.array(collectionErrorShape).safeParse((err as Error & { data?: unknown }).data);
  const first = data.success ? data.data[0] : undefined;
  const code = first?.errorCode ?? first?.statusCode;
  return first && code ? { errorCode: code, message: first.message } : { errorCode, message };
}

/**
 * One record's error inside an sObject Collections response (`{ statusCode, message, fields }`),
 * mapped like a whole-call error: UNABLE_TO_LOCK_ROW is TEMPORARY, a bad value PERMANENT.
 */
export function mapRecordError(error: { statusCode: string; message: string }): MappedSalesforceError {
  return mapApiError({ errorCode: error.statusCode, message: error.message });
}

function mapApiError({ errorCode, message }: { errorCode: string; message: string }): MappedSalesforceError {
  const text = brief(`${errorCode}: ${message}`);
  if (AUTH_REVOKED_CODES.has(errorCode)) return { code: 'AUTH_REVOKED', message: text };
  if (errorCode === 'REQUEST_LIMIT_EXCEEDED') {
    const retryAfterMs = /TotalRequests/i.test(message) ? DAILY_LIMIT_RETRY_MS : CONCURRENCY_LIMIT_RETRY_MS;
    return { code: 'RATE_LIMITED', message: text, retryAfterMs };
  }
  if (errorCode === 'ERROR_HTTP_429' || errorCode === 'ERROR_HTTP_420') {
    return { code: 'RATE_LIMITED', message: text, retryAfterMs: CONCURRENCY_LIMIT_RETRY_MS };
  }
  if (TEMPORARY_CODES.has(errorCode) || /^ERROR_HTTP_5\d\d$/.test(errorCode)) return { code: 'TEMPORARY', message: text };
  if (NOT_FOUND_CODES.has(errorCode)) return { code: 'NOT_FOUND', message: text };
  return { code: 'PERMANENT', message: text };
}

function networkCode(err: Error): string | undefined {
  for (let current: unknown = err, depth = 0; current instanceof Error && depth < 4; depth += 1) {
    const coded = codedShape.safeParse(current);
    if (coded.success && NETWORK_CODES.has(coded.data.code)) return coded.data.code;
    current = (current as Error & { cause?: unknown }).cause;
  }
  return undefined;
}

/** Messages can echo field values; keep them short for logs. */
function brief(message: string): string {
  return message.length > MESSAGE_MAX ? `${message.slice(0, MESSAGE_MAX)}…` : message;
}
