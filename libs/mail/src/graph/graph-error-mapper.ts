import { z } from 'zod';

import { httpErrorFacts, type HttpErrorFacts } from '../http-error-facts';
import { MailProviderError, type MailProviderErrorCode } from '../mail-provider-error';
import { retryAfterFromHeader } from '../retry-after-header';
import { SOCKET_ERROR_CODES } from '../socket-error-codes';

/** Graph's error resource (https://learn.microsoft.com/graph/errors): code, message, nested innerError. */
interface GraphErrorNode {
  code?: string | undefined;
  innerError?: GraphErrorNode | undefined;
  innererror?: GraphErrorNode | undefined;
}
const graphErrorNode: z.ZodType<GraphErrorNode> = z.lazy(() =>
  z.looseObject({
    code: z.string().optional().catch(undefined),
    innerError: graphErrorNode.optional().catch(undefined),
    innererror: graphErrorNode.optional().catch(undefined),
  }),
);
const graphErrorBody = z.looseObject({ error: graphErrorNode });

/** Microsoft identity platform token endpoint error (RFC 6749 §5.2 plus AADSTS codes in the description). */
const entraError = z.looseObject({ error: z.string(), error_description: z.string().optional().catch(undefined), error_codes: z.array(z.number()).optional().catch(undefined) });

const NETWORK_CODES = new Set(SOCKET_ERROR_CODES);
const THROTTLE_CODES = new Set(['toomanyrequests', 'applicationthrottled', 'mailboxconcurrency', 'throttledrequest', 'activitylimitreached', 'errorexceededmessagelimit', 'errormessagesubmissionblocked']);
const AUTH_CODES = new Set(['invalidauthenticationtoken', 'unauthenticated', 'tokenexpired', 'errorinvalidauthenticationtoken']);
const PERMISSION_CODES = new Set(['erroraccessdenied', 'accessdenied', 'authorization_requestdenied', 'errorsendasdenied', 'erroritemnotfoundorinsufficientpermissions']);
const CURSOR_CODES = new Set(['syncstatenotfound', 'syncstateinvalid', 'resyncrequired', 'errorinvalidsyncstatedata']);
/** AADSTS codes where only the user can help: consent missing (65001) versus grant gone (others). */
const CONSENT_AADSTS = new Set([65001, 65004]);

export interface GraphErrorVerdict {
  code: MailProviderErrorCode;
  retryAfterMs?: number;
  providerStatus: string;
}

function codeChain(node: GraphErrorNode | undefined): string[] {
  const out: string[] = [];
  let current = node;
  for (let depth = 0; current !== undefined && depth < 8; depth += 1) {
    if (current.code) out.push(current.code.toLowerCase());
    current = current.innerError ?? current.innererror;
  }
  return out;
}

/** Pure decision over what Graph answered; Graph's code casing varies, so every comparison is lower-case. */
export function classifyGraphResponse(facts: HttpErrorFacts, now: Date): GraphErrorVerdict {
  const wait = retryAfterFromHeader(facts.retryAfter, now);
  const withWait = (code: MailProviderErrorCode, providerStatus: string): GraphErrorVerdict => (wait === undefined ? { code, providerStatus } : { code, providerStatus, retryAfterMs: wait });
  if (facts.status === undefined) return { code: 'TEMPORARY', providerStatus: facts.networkCode !== undefined && NETWORK_CODES.has(facts.networkCode) ? facts.networkCode : 'no-response' };
  const status = facts.status;
  const entra = entraError.safeParse(facts.body);
  if (entra.success) {
    const providerStatus = `${status} ${entra.data.error}`;
    if ((entra.data.error_codes ?? []).some((c) => CONSENT_AADSTS.has(c)) || entra.data.error === 'consent_required') return { code: 'INSUFFICIENT_PERMISSIONS', providerStatus };
    if (['invalid_grant', 'interaction_required', 'unauthorized_client', 'login_required'].includes(entra.data.error)) return { code: 'AUTH_REVOKED', providerStatus };
    if (entra.data.error === 'temporarily_unavailable' || status >= 500) return withWait('TEMPORARY', providerStatus);
    return { code: 'PERMANENT', providerStatus };
  }
  // The wire body is {"error": {...}}; the Graph client's GraphError keeps only the inner object.
  const wrapped = graphErrorBody.safeParse(facts.body);
  const bare = graphErrorNode.safeParse(facts.body);
  const codes = wrapped.success ? codeChain(wrapped.data.error) : bare.success ? codeChain(bare.data) : [];
  const providerStatus = codes[0] ? `${status} ${codes[0]}` : String(status);
  // Delta: "410 Gone" (or a sync-state code) means the token is no longer valid; restart with a full sync.
  if (status === 410 || codes.some((c) => CURSOR_CODES.has(c))) return { code: 'CURSOR_EXPIRED', providerStatus };
  if (status === 429 || codes.some((c) => THROTTLE_CODES.has(c))) return withWait('RATE_LIMITED', providerStatus);
  if (status === 401 || codes.some((c) => AUTH_CODES.has(c))) return { code: 'AUTH_REVOKED', providerStatus };
  if (status === 403) return { code: codes.length === 0 || codes.some((c) => PERMISSION_CODES.has(c)) ? 'INSUFFICIENT_PERMISSIONS' : 'PERMANENT', providerStatus };
  if (status >= 500 || status === 408) return withWait('TEMPORARY', providerStatus);
  return { code: 'PERMANENT', providerStatus };
}

export function mapGraphError(error: unknown, now: Date = new Date()): MailProviderError {
  if (error instanceof MailProviderError) return error;
  const facts = httpErrorFacts(error);
  const verdict = classifyGraphResponse(facts, now);
  return new MailProviderError(`Microsoft Graph: ${facts.message}`, { code: verdict.code, provider: 'graph', providerStatus: verdict.providerStatus, ...(verdict.retryAfterMs !== undefined ? { retryAfterMs: verdict.retryAfterMs } : {}), cause: error });
}
