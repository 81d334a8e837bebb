import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSalesforceSandbox, type SalesforceSandbox } from '@telltale/testing';
import {
  CONCURRENCY_LIMIT_RETRY_MS,
  createJsforceConnection,
  DAILY_LIMIT_RETRY_MS,
  InvalidActivityError,
  mapSalesforceError,
  type SalesforceErrorCode,
} from '../src/salesforce';
import { gatewayCalls } from './support/gateway-calls';

/** The shape jsforce's HttpApiError has: name and errorCode both carry the API's errorCode. */
function apiError(errorCode: string, message = 'from Salesforce', data?: unknown): Error {
  return Object.assign(new Error(message), { name: errorCode, errorCode, data });
}

/** jsforce's OAuth2 client names the error after the token endpoint's `error`. */
function oauthError(error: string, description: string): Error {
  return Object.assign(new Error(description), { name: error });
}

describe('mapSalesforceError', () => {
  const cases: Array<[string, unknown, SalesforceErrorCode, number | undefined]> = [
    ['session expired', apiError('INVALID_SESSION_ID', 'Session expired or invalid'), 'AUTH_REVOKED', undefined],
    ['API disabled for the org', apiError('API_DISABLED_FOR_ORG'), 'AUTH_REVOKED', undefined],
    ['OAuth invalid_grant', oauthError('invalid_grant', 'authentication failure'), 'AUTH_REVOKED', undefined],
    ['OAuth inactive_user', oauthError('inactive_user', 'user is inactive'), 'AUTH_REVOKED', undefined],
    ['re-login refused', new Error('Unable to refresh session due to: authentication failure'), 'AUTH_REVOKED', undefined],
    ['re-login unreachable', new Error('Unable to refresh session due to: fetch failed'), 'TEMPORARY', undefined],
    ['daily API limit', apiError('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'), 'RATE_LIMITED', DAILY_LIMIT_RETRY_MS],
    ['concurrent limit', apiError('REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.'), 'RATE_LIMITED', CONCURRENCY_LIMIT_RETRY_MS],
    ['HTTP 429 without a body', apiError('ERROR_HTTP_429', ''), 'RATE_LIMITED', CONCURRENCY_LIMIT_RETRY_MS],
    ['row lock', apiError('UNABLE_TO_LOCK_ROW'), 'TEMPORARY', undefined],
    ['server unavailable', apiError('SERVER_UNAVAILABLE'), 'TEMPORARY', undefined],
    ['HTTP 503 without a body', apiError('ERROR_HTTP_503', ''), 'TEMPORARY', undefined],
    ['unknown exception', apiError('UNKNOWN_EXCEPTION'), 'TEMPORARY', undefined],
    ['record gone', apiError('ENTITY_IS_DELETED'), 'NOT_FOUND', undefined],
    ['resource missing', apiError('NOT_FOUND'), 'NOT_FOUND', undefined],
    ['reference missing', apiError('INVALID_CROSS_REFERENCE_KEY'), 'NOT_FOUND', undefined],
    ['bad field', apiError('INVALID_FIELD'), 'PERMANENT', undefined],
    ['bad query', apiError('MALFORMED_QUERY'), 'PERMANENT', undefined],
    ['required field', apiError('REQUIRED_FIELD_MISSING'), 'PERMANENT', undefined],
    ['duplicate', apiError('DUPLICATE_VALUE'), 'PERMANENT', undefined],
    ['several matches', apiError('MULTIPLE_CHOICES'), 'PERMANENT', undefined],
    ['validation rule', apiError('FIELD_CUSTOM_VALIDATION_EXCEPTION'), 'PERMANENT', undefined],
    [
      'several errors, first decides',
      apiError('MULTIPLE_API_ERRORS', 'Multiple errors returned.', [
        { errorCode: 'UNABLE_TO_LOCK_ROW', message: 'lock' },
        { errorCode: 'INVALID_FIELD', message: 'x' },
      ]),
      'TEMPORARY',
      undefined,
    ],
    [
      'connection refused',
      new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }),
      'TEMPORARY',
      undefined,
    ],
    ['timeout', Object.assign(new Error('aborted'), { name: 'AbortError' }), 'TEMPORARY', undefined],
    ['invalid activity', new InvalidActivityError('bad key'), 'PERMANENT', undefined],
    ['unknown error', new Error('something odd'), 'TEMPORARY', undefined],
    ['not an error', 'boom', 'TEMPORARY', undefined],
  ];
  for (const [name, err, code, retryAfterMs] of cases) {
    it(name, () => {
      const mapped = mapSalesforceError(err);
      assert.equal(mapped.code, code);
      assert.equal(mapped.retryAfterMs, retryAfterMs);
      assert.equal(typeof mapped.message, 'string');
    });
  }
});

describe('mapSalesforceError on what jsforce really throws', () => {
  let sandbox: SalesforceSandbox;
  const creds = (): Parameters<typeof createJsforceConnection>[0] => ({
    loginUrl: sandbox.url,
    clientId: sandbox.clientId,
    clientSecret: sandbox.clientSecret,
    username: 'rep@telltale.sandbox',
    password: 'telltale-sandbox-password',
  });
  const failure = (promise: Promise<unknown>): Promise<unknown> =>
    promise.then(
      () => assert.fail('expected a rejection'),
      (err: unknown) => err,
    );

  before(async () => {
    sandbox = await startSalesforceSandbox();
  });
  after(async () => {
    await sandbox.stop();
  });

  it('maps a throttled upsert to RATE_LIMITED', async () => {
    const gateway = gatewayCalls(() => createJsforceConnection(creds()));
    sandbox.intercept({
      method: 'PATCH',
      status: 403,
      body: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
    });
    const mapped = mapSalesforceError(await failure(gateway.upsertTask('email-sent:limited')));
    assert.equal(mapped.code, 'RATE_LIMITED');
    assert.equal(mapped.retryAfterMs, DAILY_LIMIT_RETRY_MS);
  });

  it('maps a bodiless 503 to TEMPORARY', async () => {
    const gateway = gatewayCalls(() => createJsforceConnection(creds()));
    sandbox.intercept({ method: 'PATCH', status: 503 });
    assert.equal(mapSalesforceError(await failure(gateway.upsertTask('email-sent:503'))).code, 'TEMPORARY');
  });

  it('maps a malformed query to PERMANENT', async () => {
    const conn = await createJsforceConnection(creds());
    assert.equal(mapSalesforceError(await failure(Promise.resolve(conn.query('SELECT FROM')))).code, 'PERMANENT');
  });

  it('maps a refused login and a failed re-login to AUTH_REVOKED', async () => {
    assert.equal(mapSalesforceError(await failure(createJsforceConnection({ ...creds(), password: 'wrong' }))).code, 'AUTH_REVOKED');

    const connection = await createJsforceConnection(creds());
    const gateway = gatewayCalls(() => Promise.resolve(connection));
    sandbox.revokeAllTokens();
    sandbox.setPassword('rep@telltale.sandbox', 'rotated');
    try {
      assert.equal(mapSalesforceError(await failure(gateway.findWho('a@b.example'))).code, 'AUTH_REVOKED');
    } finally {
      sandbox.setPassword('rep@telltale.sandbox', 'telltale-sandbox-password');
    }
  });

  it('maps an unreachable Salesforce to TEMPORARY', async () => {
    const gone = await startSalesforceSandbox();
    const url = gone.url;
    await gone.stop();
    const err = await failure(createJsforceConnection({ ...creds(), loginUrl: url }));
    assert.equal(mapSalesforceError(err).code, 'TEMPORARY');
  });
});
