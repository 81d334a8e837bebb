import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SANDBOX_USER, startSalesforceSandbox, type SalesforceSandbox } from '@telltale/testing';
import {
  cacheConnection,
  createJsforceConnection,
  mapSalesforceError,
  type SalesforceCredentials,
} from '../src/salesforce';
import { gatewayCalls } from './support/gateway-calls';

class ManualClock {
  constructor(private ms: number) {}
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

const INVALID_SESSION = [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }];

describe('createJsforceConnection', () => {
  let sandbox: SalesforceSandbox;
  let credentials: SalesforceCredentials;
  const tokenCalls = (): number => sandbox.requests.filter((r) => r.path === '/services/oauth2/token').length;

  before(async () => {
    sandbox = await startSalesforceSandbox();
    credentials = {
      loginUrl: sandbox.url,
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      username: DEFAULT_SANDBOX_USER.username,
      password: DEFAULT_SANDBOX_USER.password,
    };
  });
  after(async () => {
    await sandbox.stop();
  });

  it('logs in through the OAuth 2.0 token endpoint, not SOAP', async () => {
    const before = tokenCalls();
    const conn = await createJsforceConnection(credentials);
    assert.equal(tokenCalls(), before + 1);
    assert.equal(conn.instanceUrl, sandbox.url);
    assert.equal(conn.version, '64.0');
    assert.ok(!sandbox.requests.some((r) => r.path.startsWith('/services/Soap')));
  });

  it('logs in again once when the session was revoked, and carries on', async () => {
    const gateway = gatewayCalls(cacheConnection(() => createJsforceConnection(credentials)));
    assert.equal(await gateway.findWho('nobody@example.com'), null);
    const before = tokenCalls();
    sandbox.revokeAllTokens();
    assert.equal(await gateway.findWho('nobody@example.com'), null);
    assert.equal(tokenCalls(), before + 1);
  });

  it('does not loop when Salesforce rejects a session it has just issued', async () => {
    const clock = new ManualClock(Date.parse('2025-03-14T09:00:00Z'));
    const conn = await createJsforceConnection(credentials, { clock, reloginCooldownMs: 60_000 });
    const gateway = gatewayCalls(() => Promise.resolve(conn));

    sandbox.revokeAllTokens();
    assert.equal(await gateway.findWho('nobody@example.com'), null, 'first re-login allowed');
    const afterRelogin = tokenCalls();

    sandbox.intercept({ method: 'GET', pathIncludes: '/query', status: 401, body: INVALID_SESSION, times: 2 });
    const err = await gateway.findWho('nobody@example.com').then(
      () => assert.fail('expected a rejection'),
      (e: unknown) => e,
    );
    assert.equal(mapSalesforceError(err).code, 'AUTH_REVOKED');
    assert.equal(tokenCalls(), afterRelogin, 'no second login inside the cooldown');

    clock.advance(60_000);
    assert.equal(await gateway.findWho('nobody@example.com'), null, 'a later expiry may log in again');
    assert.equal(tokenCalls(), afterRelogin + 1);
  });

  it('caches one connection and retries a failed login on the next call', async () => {
    let attempts = 0;
    const factory = cacheConnection(async () => {
      attempts += 1;
      return createJsforceConnection(attempts === 1 ? { ...credentials, password: 'wrong' } : credentials);
    });
    await assert.rejects(factory(), (err: Error) => err.name === 'invalid_grant');
    const first = await factory();
    const second = await factory();
    assert.equal(first, second);
    assert.equal(attempts, 2);
  });
});
