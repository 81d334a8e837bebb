import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SANDBOX_USER } from '@telltale/testing';
import { isSalesforceConnectionUnavailable, type PreflightReport, type SalesforceConnectionView } from '../src/connections';
import { REDIRECT_URI, startCrmWriterUnderTest, type CrmWriterUnderTest } from './support/crm-writer-under-test';

/**
 * Connecting an organisation's Salesforce through the HTTP API against the local Salesforce org:
 * the web-server flow with PKCE, the JWT bearer flow, refresh, invalid_grant → needs_reconnect,
 * disconnect and the pre-flight. The fake's authorize page approves at once as its default user.
 */

interface Started {
  authorizationUrl: string;
  state: string;
  expiresAt: string;
}

const json = async <T>(res: Response): Promise<T> => (await res.json()) as T;

/** Plays the admin's browser on the consent page: the redirect back to our callback URL. */
async function consent(authorizationUrl: string): Promise<URL> {
  const res = await fetch(authorizationUrl, { redirect: 'manual' });
  assert.equal(res.status, 302, 'the authorize page redirects back');
  return new URL(res.headers.get('location') ?? '');
}

function rsaKeys(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

describe('Salesforce connection API', () => {
  let crm: CrmWriterUnderTest;
  const rep = { roles: ['rep' as const] };

  before(async () => {
    crm = await startCrmWriterUnderTest({ label: 'sf-connect' });
  });
  after(async () => {
    await crm?.stop();
  });

  const start = async (body: unknown = { environment: 'production' }, orgId?: string): Promise<Started> => {
    const res = await crm.api('/v1/salesforce/connection/oauth', { method: 'POST', body: JSON.stringify(body), orgId });
    assert.equal(res.status, 201, await res.clone().text());
    return json<Started>(res);
  };
  const callback = (query: string, orgId?: string) => crm.api(`/v1/salesforce/connection/oauth/callback?${query}`, { orgId });
  const connectWebServer = async (orgId?: string): Promise<SalesforceConnectionView> => {
    const started = await start(undefined, orgId);
    const back = await consent(started.authorizationUrl);
    const res = await callback(`code=${encodeURIComponent(back.searchParams.get('code') ?? '')}&state=${encodeURIComponent(started.state)}`, orgId);
    assert.equal(res.status, 200, await res.clone().text());
    return json<SalesforceConnectionView>(res);
  };
  const status = async (orgId?: string) => json<SalesforceConnectionView>(await crm.api('/v1/salesforce/connection', { orgId }));

  it('is not connected at first, and a rep may look but not connect', async () => {
    const view = await json<SalesforceConnectionView>(await crm.api('/v1/salesforce/connection', { caller: rep }));
    assert.equal(view.state, 'not_connected');
    assert.equal(view.usesDeprecatedIntegrationUser, false);
    const res = await crm.api('/v1/salesforce/connection/oauth', { method: 'POST', body: JSON.stringify({ environment: 'production' }), caller: rep });
    assert.equal(res.status, 403);
    for (const [method, path] of [['DELETE', ''], ['POST', '/jwt'], ['POST', '/preflight']] as const) {
      assert.equal((await crm.api(`/v1/salesforce/connection${path}`, { method, body: method === 'POST' ? '{}' : undefined, caller: rep })).status, 403, `${method} ${path}`);
    }
  });

  it('connects with the web-server flow: PKCE S256, state kept server-side, refresh token stored encrypted', async () => {
    const started = await start({ environment: 'sandbox' });
    const url = new URL(started.authorizationUrl);
    assert.equal(`${url.origin}${url.pathname}`, `${crm.sandbox.url}/services/oauth2/authorize`);
    assert.equal(url.searchParams.get('response_type'), 'code');
    assert.equal(url.searchParams.get('redirect_uri'), REDIRECT_URI);
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.match(url.searchParams.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.equal(url.searchParams.get('state'), started.state);
    assert.equal(url.searchParams.get('code_verifier'), null, 'the verifier never leaves the server');

    const back = await consent(started.authorizationUrl);
    assert.equal(back.searchParams.get('state'), started.state);
    const query = `code=${encodeURIComponent(back.searchParams.get('code') ?? '')}&state=${encodeURIComponent(started.state)}`;
    const res = await callback(query);
    assert.equal(res.status, 200, await res.clone().text());
    const view = await json<SalesforceConnectionView>(res);
    assert.equal(view.state, 'connected');
    assert.equal(view.flow, 'web_server');
    assert.equal(view.username, DEFAULT_SANDBOX_USER.username);
    assert.equal(view.salesforceOrgId, crm.sandbox.organizationId);
    assert.equal(view.instanceUrl, crm.sandbox.url);
    assert.equal(view.lastError, null);
    assert.equal(view.preflight?.ok, true, 'the pre-flight ran on connecting, before any write');
    await crm.awaitChange('connected event', (c) => c.orgId === crm.orgId && c.state === 'connected' && c.flow === 'web_server');

    const [row] = await crm.sql<{ secret_ciphertext: string }>('SELECT secret_ciphertext FROM crm_writer.salesforce_connection WHERE org_id = $1', [crm.orgId]);
    assert.ok(row && !row.secret_ciphertext.startsWith('5Aep'), 'the refresh token is not stored in clear');

    // The same callback again (a replay, or the browser's back button) is refused: the state was used.
    const replay = await callback(query);
    assert.equal(replay.status, 400);
    assert.equal((await json<{ error: string }>(replay)).error, 'unknown_authorization');

    const conn = await crm.connections.forOrg(crm.orgId);
    assert.equal((await conn.query('SELECT Id FROM Account')).totalSize, 0);
    // The session expires: the stored refresh token gets a new one.
    crm.sandbox.expireAccessTokens();
    assert.equal((await conn.query('SELECT Id FROM Account')).totalSize, 0);
  });

  it('refuses a code redeemed with the wrong PKCE verifier, and the state cannot be retried', async () => {
    const started = await start();
    // The code is issued for someone else's challenge (an intercepted code): our verifier does not match it.
    const tampered = new URL(started.authorizationUrl);
    tampered.searchParams.set('code_challenge', createHash('sha256').update('someone-elses-verifier').digest('base64url'));
    const back = await consent(tampered.toString());
    const query = `code=${encodeURIComponent(back.searchParams.get('code') ?? '')}&state=${encodeURIComponent(started.state)}`;
    const res = await callback(query);
    assert.equal(res.status, 400);
    const body = await json<{ error: string; code: string; message: string }>(res);
    assert.equal(body.error, 'salesforce_authorization_failed');
    assert.equal(body.code, 'invalid_request');
    assert.doesNotMatch(JSON.stringify(body), /aPr|5Aep/, 'no code or token in the answer');
    assert.equal((await callback(query)).status, 400, 'the state was consumed');
  });

  it('lets only the admin who started complete the flow, within the organisation', async () => {
    const started = await start();
    const back = await consent(started.authorizationUrl);
    const query = `code=${encodeURIComponent(back.searchParams.get('code') ?? '')}&state=${encodeURIComponent(started.state)}`;
    const otherOrg = await callback(query, randomUUID());
    assert.equal(otherOrg.status, 400);
    assert.equal((await json<{ error: string }>(otherOrg)).error, 'unknown_authorization');
    const declined = await callback(`error=access_denied&error_description=end-user+denied+authorization&state=${started.state}`);
    assert.equal(declined.status, 400);
    assert.equal((await json<{ error: string }>(declined)).error, 'salesforce_authorization_denied');
    assert.equal((await callback(query)).status, 200, 'the admin who started still can');
  });

  it('validates the login host and the request', async () => {
    const bad = await crm.api('/v1/salesforce/connection/oauth', { method: 'POST', body: JSON.stringify({ environment: 'my_domain', myDomain: 'evil.example.com' }) });
    assert.equal(bad.status, 400);
    assert.equal((await json<{ error: string }>(bad)).error, 'invalid_my_domain');
    const myDomain = await start({ environment: 'my_domain', myDomain: 'Acme--UAT.sandbox.my.salesforce.com' });
    assert.ok(myDomain.authorizationUrl.startsWith('https://acme--uat.sandbox.my.salesforce.com/services/oauth2/authorize?'));
    const unknown = await crm.api('/v1/salesforce/connection/oauth', { method: 'POST', body: JSON.stringify({ environment: 'staging' }) });
    assert.equal(unknown.status, 400);
    const missing = await callback('state=x');
    assert.equal(missing.status, 400);
  });

  it('marks invalid_grant needs_reconnect; reconnecting brings the organisation back', async () => {
    const orgId = randomUUID();
    await connectWebServer(orgId);
    const conn = await crm.connections.forOrg(orgId);
    crm.sandbox.revokeAllTokens();
    const err = await Promise.resolve(conn.query('SELECT Id FROM Account')).then(
      () => assert.fail('expected the revoked grant to fail'),
      (e: unknown) => e,
    );
    assert.ok(isSalesforceConnectionUnavailable(err));
    const view = await status(orgId);
    assert.equal(view.state, 'needs_reconnect');
    assert.equal(view.lastErrorCode, 'invalid_grant');
    assert.match(view.lastError ?? '', /reconnect Salesforce/);
    await crm.awaitChange('needs_reconnect event', (c) => c.orgId === orgId && c.state === 'needs_reconnect');

    const told: string[] = [];
    crm.connections.onConnected((id) => {
      told.push(id);
    });
    const again = await connectWebServer(orgId);
    assert.equal(again.state, 'connected');
    assert.deepEqual(told, [orgId], 'writes waiting on the organisation are told it is back');
    await crm.awaitChange('reconnected event', (c) => c.orgId === orgId && c.state === 'connected' && c.previousState === 'needs_reconnect');
    const fresh = await crm.connections.forOrg(orgId);
    assert.notEqual(fresh, conn, 'a new connection after reconnecting');
    assert.equal((await fresh.query('SELECT Id FROM Account')).totalSize, 0);
  });

  it('connects with the JWT bearer flow, signs a new JWT when the session expires, and refuses a wrong key', async () => {
    const orgId = randomUUID();
    const keys = rsaKeys();
    const consumerKey = `3MVG9${randomUUID().replace(/-/g, '')}`;
    crm.sandbox.registerJwtApp(consumerKey, keys.publicKey);
    const body = { environment: 'production', consumerKey, username: DEFAULT_SANDBOX_USER.username, privateKey: keys.privateKey };

    const wrong = await crm.api('/v1/salesforce/connection/jwt', { method: 'POST', body: JSON.stringify({ ...body, privateKey: rsaKeys().privateKey }), orgId });
    assert.equal(wrong.status, 400);
    assert.deepEqual(
      { ...(await json<{ error: string; code: string }>(wrong)), message: undefined },
      { error: 'salesforce_authorization_failed', code: 'invalid_grant', message: undefined },
    );
    const notPem = await crm.api('/v1/salesforce/connection/jwt', { method: 'POST', body: JSON.stringify({ ...body, privateKey: 'x'.repeat(200) }), orgId });
    assert.equal(notPem.status, 400);
    assert.equal((await json<{ error: string }>(notPem)).error, 'invalid_private_key');
    assert.equal((await status(orgId)).state, 'not_connected', 'nothing stored for a refused grant');

    const res = await crm.api('/v1/salesforce/connection/jwt', { method: 'POST', body: JSON.stringify(body), orgId });
    assert.equal(res.status, 200, await res.clone().text());
    const view = await json<SalesforceConnectionView>(res);
    assert.equal(view.state, 'connected');
    assert.equal(view.flow, 'jwt_bearer');
    assert.equal(view.username, DEFAULT_SANDBOX_USER.username);
    const [row] = await crm.sql<{ secret_ciphertext: string }>('SELECT secret_ciphertext FROM crm_writer.salesforce_connection WHERE org_id = $1', [orgId]);
    assert.ok(row && !row.secret_ciphertext.includes('PRIVATE KEY'), 'the private key is stored encrypted');

    const conn = await crm.connections.forOrg(orgId);
    crm.sandbox.expireAccessTokens();
    assert.equal((await conn.query('SELECT Id FROM Account')).totalSize, 0, 'a new JWT after the session expired');

    crm.sandbox.revokeJwtAuthorization(DEFAULT_SANDBOX_USER.username);
    const err = await Promise.resolve(conn.query('SELECT Id FROM Account')).then(
      () => assert.fail('expected the refused JWT to fail'),
      (e: unknown) => e,
    );
    assert.ok(isSalesforceConnectionUnavailable(err));
    assert.equal((await status(orgId)).state, 'needs_reconnect');
  });

  it('disconnects: credentials forgotten, the refresh token revoked, activities wait', async () => {
    const orgId = randomUUID();
    await connectWebServer(orgId);
    const res = await crm.api('/v1/salesforce/connection', { method: 'DELETE', orgId });
    assert.equal(res.status, 200);
    assert.equal((await json<SalesforceConnectionView>(res)).state, 'disconnected');
    const [row] = await crm.sql<{ secret_ciphertext: string | null }>('SELECT secret_ciphertext FROM crm_writer.salesforce_connection WHERE org_id = $1', [orgId]);
    assert.equal(row?.secret_ciphertext, null);
    assert.ok(crm.sandbox.requests.some((r) => r.path === '/services/oauth2/revoke'));
    await assert.rejects(crm.connections.forOrg(orgId), (e: unknown) => isSalesforceConnectionUnavailable(e));
    assert.equal((await crm.api('/v1/salesforce/connection', { method: 'DELETE', orgId })).status, 404);
  });

  it("pre-flight passes on a complete org, then names a hidden field and one the user cannot edit", async () => {
    const orgId = randomUUID();
    const beforeConnect = await crm.api('/v1/salesforce/connection/preflight', { method: 'POST', orgId });
    assert.equal(beforeConnect.status, 409);
    await connectWebServer(orgId);
    const passing = await json<PreflightReport>(await crm.api('/v1/salesforce/connection/preflight', { method: 'POST', orgId }));
    assert.deepEqual(passing.problems, []);
    assert.equal(passing.ok, true);
    assert.deepEqual(passing.objects.map((o) => o.object), ['Task', 'EmailMessage', 'Contact', 'Lead', 'Account', 'Opportunity']);

    crm.sandbox.setFieldAccess('Task', 'Telltale_Opens__c', 'hidden');
    crm.sandbox.setFieldAccess('Task', 'Telltale_Message_Id__c', 'read');
    try {
      const res = await crm.api('/v1/salesforce/connection/preflight', { method: 'POST', orgId });
      assert.equal(res.status, 200);
      const report = await json<PreflightReport>(res);
      assert.equal(report.ok, false);
      assert.deepEqual(
        report.problems.map((p) => [p.object, p.field, p.kind]),
        [
          ['Task', 'Telltale_Message_Id__c', 'not_createable'],
          ['Task', 'Telltale_Opens__c', 'field_missing'],
        ],
      );
      assert.match(report.problems[1]!.message, /Task\.Telltale_Opens__c is missing or hidden from rep@telltale\.sandbox: deploy the Telltale fields \(deploy\/salesforce/);
      assert.match(report.problems[0]!.message, /cannot set Task\.Telltale_Message_Id__c .*Edit access/);
      assert.deepEqual(report.objects.find((o) => o.object === 'Task')?.ok, false);
      assert.deepEqual((await status(orgId)).preflight?.problems.length, 2, 'the last report is kept with the status');
    } finally {
      crm.sandbox.setFieldAccess('Task', 'Telltale_Opens__c', 'edit');
      crm.sandbox.setFieldAccess('Task', 'Telltale_Message_Id__c', 'edit');
    }
  });
});
