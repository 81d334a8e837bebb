import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { classifyGmailResponse, mapGmailError, type GmailCallKind, type MailProviderErrorCode } from '../../src';

const now = new Date('2026-11-27T10:00:00Z');

function googleError(code: number, reason: string, message: string, status?: string): unknown {
  return { error: { code, message, errors: [{ domain: reason === 'dailyLimitExceeded' ? 'usageLimits' : 'global', reason, message }], ...(status ? { status } : {}) } };
}

// Bodies as published in https://developers.google.com/gmail/api/guides/handle-errors and RFC 6749 §5.2.
describe('classifyGmailResponse', () => {
  const cases: { name: string; status: number | undefined; body?: unknown; retryAfter?: string; kind?: GmailCallKind; networkCode?: string; code: MailProviderErrorCode; retryAfterMs?: number }[] = [
    { name: '400 badRequest', status: 400, body: googleError(400, 'badRequest', 'Sorting is not supported for queries with fullText terms. Results are always in descending relevance order.'), code: 'PERMANENT' },
    { name: '400 failedPrecondition', status: 400, body: googleError(400, 'failedPrecondition', 'Mail service not enabled', 'FAILED_PRECONDITION'), code: 'PERMANENT' },
    { name: '401 authError', status: 401, body: googleError(401, 'authError', 'Invalid Credentials', 'UNAUTHENTICATED'), code: 'AUTH_REVOKED' },
    { name: '403 dailyLimitExceeded', status: 403, body: googleError(403, 'dailyLimitExceeded', 'Daily Limit Exceeded'), code: 'RATE_LIMITED' },
    { name: '403 userRateLimitExceeded with retry time', status: 403, body: googleError(403, 'userRateLimitExceeded', 'User-rate limit exceeded.  Retry after 2026-11-27T10:05:00.000Z'), code: 'RATE_LIMITED', retryAfterMs: 300_000 },
    { name: '403 rateLimitExceeded', status: 403, body: googleError(403, 'rateLimitExceeded', 'Rate Limit Exceeded'), code: 'RATE_LIMITED' },
    { name: '403 domainPolicy', status: 403, body: googleError(403, 'domainPolicy', 'The domain administrators have disabled Gmail apps.'), code: 'INSUFFICIENT_PERMISSIONS' },
    {
      name: '403 insufficient scopes',
      status: 403,
      body: { error: { code: 403, message: 'Request had insufficient authentication scopes.', errors: [{ message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' }], status: 'PERMISSION_DENIED', details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT' }] } },
      code: 'INSUFFICIENT_PERMISSIONS',
    },
    { name: '404 on history.list: cursor expired', status: 404, kind: 'history', body: googleError(404, 'notFound', 'Requested entity was not found.', 'NOT_FOUND'), code: 'CURSOR_EXPIRED' },
    { name: '404 on messages.get: gone', status: 404, body: googleError(404, 'notFound', 'Requested entity was not found.', 'NOT_FOUND'), code: 'PERMANENT' },
    { name: '429 rateLimitExceeded with Retry-After', status: 429, retryAfter: '17', body: googleError(429, 'rateLimitExceeded', 'Too many concurrent requests for user'), code: 'RATE_LIMITED', retryAfterMs: 17_000 },
    { name: '500 backendError', status: 500, body: googleError(500, 'backendError', 'Backend Error'), code: 'TEMPORARY' },
    { name: '503 with Retry-After date', status: 503, retryAfter: 'Fri, 27 Nov 2026 10:01:00 GMT', body: 'Service Unavailable', code: 'TEMPORARY', retryAfterMs: 60_000 },
    { name: 'token endpoint invalid_grant (revoked)', status: 400, body: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' }, code: 'AUTH_REVOKED' },
    { name: 'token endpoint invalid_client', status: 401, body: { error: 'invalid_client', error_description: 'Unauthorized' }, code: 'PERMANENT' },
    { name: 'token endpoint invalid_scope', status: 400, body: { error: 'invalid_scope', error_description: 'Some requested scopes were invalid.' }, code: 'INSUFFICIENT_PERMISSIONS' },
    { name: 'connection reset', status: undefined, networkCode: 'ECONNRESET', code: 'TEMPORARY' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const verdict = classifyGmailResponse({ status: c.status, body: c.body, retryAfter: c.retryAfter, networkCode: c.networkCode, message: 'x' }, c.kind ?? 'other', now);
      assert.equal(verdict.code, c.code);
      assert.equal(verdict.retryAfterMs, c.retryAfterMs);
    });
  }

  it('reads a gaxios-shaped error (status, parsed data, Headers)', () => {
    const err = Object.assign(new Error('Too many'), { status: 429, response: { status: 429, data: googleError(429, 'rateLimitExceeded', 'x'), headers: new Headers({ 'Retry-After': '3' }) } });
    const mapped = mapGmailError(err, 'other', now);
    assert.equal(mapped.code, 'RATE_LIMITED');
    assert.equal(mapped.retryAfterMs, 3_000);
    assert.equal(mapped.providerStatus, '429 ratelimitexceeded');
  });
});
