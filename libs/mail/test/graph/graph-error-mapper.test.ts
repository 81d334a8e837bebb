import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { classifyGraphResponse, mapGraphError, type MailProviderErrorCode } from '../../src';

const now = new Date('2026-11-27T10:00:00Z');
const graph = (code: string, message: string, inner?: Record<string, unknown>): unknown => ({ error: { code, message, ...(inner ? { innerError: inner } : {}) } });

// Bodies as published in https://learn.microsoft.com/graph/errors, /graph/throttling, /graph/delta-query-overview
// and the Microsoft identity platform's token endpoint errors (AADSTS codes).
describe('classifyGraphResponse', () => {
  const cases: { name: string; status: number | undefined; body?: unknown; retryAfter?: string; networkCode?: string; code: MailProviderErrorCode; retryAfterMs?: number }[] = [
    { name: '429 TooManyRequests with Retry-After', status: 429, retryAfter: '10', body: graph('TooManyRequests', 'Please retry again later.', { code: '429', date: '2020-08-18T12:51:51', 'request-id': '94fb3b52-452a-4535-a601-69e0a90e3aa2', status: '429' }), code: 'RATE_LIMITED', retryAfterMs: 10_000 },
    { name: '429 ApplicationThrottled (mailbox concurrency)', status: 429, retryAfter: '1', body: graph('ApplicationThrottled', 'Application is over its MailboxConcurrency limit.'), code: 'RATE_LIMITED', retryAfterMs: 1_000 },
    { name: '429 accessDenied/throttledRequest', status: 429, body: graph('accessDenied', 'Too Many Requests', { code: 'throttledRequest' }), code: 'RATE_LIMITED' },
    { name: '401 InvalidAuthenticationToken', status: 401, body: graph('InvalidAuthenticationToken', 'Access token has expired or is not yet valid.'), code: 'AUTH_REVOKED' },
    { name: '403 ErrorAccessDenied', status: 403, body: graph('ErrorAccessDenied', 'Access is denied. Check credentials and try again.'), code: 'INSUFFICIENT_PERMISSIONS' },
    { name: '403 Authorization_RequestDenied', status: 403, body: graph('Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'), code: 'INSUFFICIENT_PERMISSIONS' },
    { name: '403 ErrorSendAsDenied', status: 403, body: graph('ErrorSendAsDenied', 'The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account.'), code: 'INSUFFICIENT_PERMISSIONS' },
    { name: '403 ErrorQuotaExceeded (mailbox full)', status: 403, body: graph('ErrorQuotaExceeded', 'The process failed to get the correct properties.'), code: 'PERMANENT' },
    { name: '410 delta token expired', status: 410, body: graph('SyncStateNotFound', 'The sync state is not found.'), code: 'CURSOR_EXPIRED' },
    { name: '410 resyncRequired', status: 410, body: graph('resyncRequired', 'Resync required. Replace any local items with the server\'s version.'), code: 'CURSOR_EXPIRED' },
    { name: '400 SyncStateInvalid', status: 400, body: graph('ErrorInvalidSyncStateData', 'Sync state data is corrupt or otherwise invalid.'), code: 'CURSOR_EXPIRED' },
    { name: '400 ErrorInvalidRecipients', status: 400, body: graph('ErrorInvalidRecipients', 'At least one recipient is not valid.'), code: 'PERMANENT' },
    { name: '404 ErrorItemNotFound', status: 404, body: graph('ErrorItemNotFound', 'The specified object was not found in the store.'), code: 'PERMANENT' },
    { name: '404 MailboxNotEnabledForRESTAPI', status: 404, body: graph('MailboxNotEnabledForRESTAPI', 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.'), code: 'PERMANENT' },
    { name: '503 serviceNotAvailable with Retry-After', status: 503, retryAfter: '30', body: graph('serviceNotAvailable', 'The service is temporarily unavailable.'), code: 'TEMPORARY', retryAfterMs: 30_000 },
    { name: '504 gateway timeout, no body', status: 504, code: 'TEMPORARY' },
    { name: 'Entra invalid_grant AADSTS70008 (expired refresh token)', status: 400, body: { error: 'invalid_grant', error_description: 'AADSTS70008: The provided authorization code or refresh token has expired due to inactivity.', error_codes: [70008] }, code: 'AUTH_REVOKED' },
    { name: 'Entra invalid_grant AADSTS50173 (password changed)', status: 400, body: { error: 'invalid_grant', error_description: 'AADSTS50173: The provided grant has expired due to it being revoked.', error_codes: [50173] }, code: 'AUTH_REVOKED' },
    { name: 'Entra invalid_grant AADSTS65001 (consent missing)', status: 400, body: { error: 'invalid_grant', error_description: 'AADSTS65001: The user or administrator has not consented to use the application.', error_codes: [65001] }, code: 'INSUFFICIENT_PERMISSIONS' },
    { name: 'Entra interaction_required', status: 400, body: { error: 'interaction_required', error_description: 'AADSTS50076: Due to a configuration change made by your administrator, you must use multi-factor authentication.', error_codes: [50076] }, code: 'AUTH_REVOKED' },
    { name: 'Entra temporarily_unavailable', status: 503, body: { error: 'temporarily_unavailable', error_description: 'AADSTS90007' }, code: 'TEMPORARY' },
    { name: 'timeout without an answer', status: undefined, networkCode: 'ETIMEDOUT', code: 'TEMPORARY' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const verdict = classifyGraphResponse({ status: c.status, body: c.body, retryAfter: c.retryAfter, networkCode: c.networkCode, message: 'x' }, now);
      assert.equal(verdict.code, c.code);
      assert.equal(verdict.retryAfterMs, c.retryAfterMs);
    });
  }

  it('reads the inner error object the Graph client keeps as GraphError.body', () => {
    const err = Object.assign(new Error('gone'), { statusCode: 410, code: 'SyncStateNotFound', body: JSON.stringify({ code: 'SyncStateNotFound', message: 'The sync state generation is invalid or not found.' }) });
    assert.equal(mapGraphError(err, now).providerStatus, '410 syncstatenotfound');
  });

  it('reads a GraphError-shaped error (statusCode, string body, Headers)', () => {
    const err = Object.assign(new Error('Please retry again later.'), { statusCode: 429, code: 'TooManyRequests', body: JSON.stringify(graph('TooManyRequests', 'Please retry again later.')), headers: new Headers({ 'Retry-After': '5' }) });
    const mapped = mapGraphError(err, now);
    assert.equal(mapped.code, 'RATE_LIMITED');
    assert.equal(mapped.retryAfterMs, 5_000);
    assert.equal(mapped.provider, 'graph');
  });
});
