import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@telltale/telemetry';
import { CredentialCipher } from '@telltale/runtime';
import { DEFAULT_SANDBOX_USER } from '@telltale/testing';
import { isSalesforceConnectionUnavailable, SalesforceConnections, SalesforceConnectionStore, SalesforceConnectionUnavailableError } from '../src/connections';
import { startCrmWriterUnderTest, type CrmWriterUnderTest } from './support/crm-writer-under-test';

const rejection = async (work: PromiseLike<unknown>): Promise<unknown> =>
  Promise.resolve(work).then(
    () => assert.fail('expected a rejection'),
    (err: unknown) => err,
  );

describe('SalesforceConnections.forOrg', () => {
  let crm: CrmWriterUnderTest;
  let store: SalesforceConnectionStore;

  before(async () => {
    crm = await startCrmWriterUnderTest({
      label: 'sf-connections',
      config: { SALESFORCE_USERNAME: DEFAULT_SANDBOX_USER.username, SALESFORCE_PASSWORD: DEFAULT_SANDBOX_USER.password },
    });
    // The same key ring the service encrypts with, to seed a connection as the connect flow stores it.
    store = new SalesforceConnectionStore(crm.service.runtime, new CredentialCipher(crm.encryptionKeys), crm.service.runtime.clock);
  });
  after(async () => {
    await crm?.stop();
  });

  const seedWebServerConnection = async (orgId: string) => {
    const userId = crm.sandbox.records('User').find((u) => u.Username === DEFAULT_SANDBOX_USER.username)?.Id as string;
    return store.saveConnected({
      orgId,
      flow: 'web_server',
      loginUrl: crm.sandbox.url,
      instanceUrl: crm.sandbox.url,
      salesforceOrgId: crm.sandbox.organizationId,
      salesforceUserId: userId,
      salesforceUsername: DEFAULT_SANDBOX_USER.username,
      consumerKey: null,
      secret: crm.sandbox.issueRefreshToken(DEFAULT_SANDBOX_USER.username),
      connectedBy: 'admin-test',
    });
  };

  it('gives an organisation without its own connection the deprecated integration user', async () => {
    const conn = await crm.connections.forOrg(randomUUID());
    const result = await conn.query<{ Id: string }>(`SELECT Id FROM User WHERE Username = '${DEFAULT_SANDBOX_USER.username}'`);
    assert.equal(result.records.length, 1);
  });

  it('refuses with salesforce_not_connected when there is neither a connection nor an integration user', async () => {
    const withoutFallback = new SalesforceConnections(
      store,
      { app: { clientId: crm.sandbox.clientId, clientSecret: crm.sandbox.clientSecret }, hosts: { production: crm.sandbox.url, sandbox: crm.sandbox.url }, deprecatedSharedConnection: null },
      createLogger({ service: 'test', level: 'silent' }),
      crm.service.runtime.clock,
    );
    const err = await rejection(withoutFallback.forOrg(randomUUID()));
    assert.ok(err instanceof SalesforceConnectionUnavailableError);
    assert.equal(err.code, 'salesforce_not_connected');
    assert.ok(isSalesforceConnectionUnavailable(err));
  });

  it("uses the organisation's own refresh token, refreshes an expired session, and marks invalid_grant needs_reconnect", async () => {
    const orgId = randomUUID();
    const row = await seedWebServerConnection(orgId);
    await crm.awaitChange('connected event', (c) => c.orgId === orgId && c.state === 'connected');

    const conn = await crm.connections.forOrg(orgId);
    assert.equal(await crm.connections.forOrg(orgId), conn, 'one connection per organisation, reused');
    assert.equal((await conn.query('SELECT Id FROM Contact')).totalSize, 0);

    // The session times out: jsforce gets a new access token from the stored refresh token.
    crm.sandbox.expireAccessTokens();
    const tokenCalls = crm.sandbox.requests.filter((r) => r.path === '/services/oauth2/token').length;
    assert.equal((await conn.query('SELECT Id FROM Contact')).totalSize, 0);
    assert.equal(crm.sandbox.requests.filter((r) => r.path === '/services/oauth2/token').length, tokenCalls + 1);

    // The admin revokes the app: the refresh is refused, the call fails as "retry later".
    crm.sandbox.revokeAllTokens();
    const failed = await rejection(conn.query('SELECT Id FROM Contact'));
    assert.ok(isSalesforceConnectionUnavailable(failed), `a refused grant is "wait and retry": ${String(failed)}`);
    const change = await crm.awaitChange('needs_reconnect event', (c) => c.orgId === orgId && c.state === 'needs_reconnect');
    assert.equal(change.previousState, 'connected');
    assert.equal(change.errorCode, 'invalid_grant');
    assert.equal(change.salesforceOrgId, crm.sandbox.organizationId);

    const [stored] = await crm.sql<{ state: string; last_error_code: string; generation: number }>(
      'SELECT state, last_error_code, generation FROM crm_writer.salesforce_connection WHERE org_id = $1',
      [orgId],
    );
    assert.deepEqual(stored, { state: 'needs_reconnect', last_error_code: 'invalid_grant', generation: row.generation });
    const refused = await rejection(crm.connections.forOrg(orgId));
    assert.ok(refused instanceof SalesforceConnectionUnavailableError);
    assert.equal(refused.code, 'salesforce_needs_reconnect');
    assert.equal(crm.changes.filter((c) => c.orgId === orgId && c.state === 'needs_reconnect').length, 1, 'one event for the change');
  });

  it('stores the refresh token encrypted, bound to its organisation', async () => {
    const orgId = randomUUID();
    await seedWebServerConnection(orgId);
    const [row] = await crm.sql<{ secret_ciphertext: string }>('SELECT secret_ciphertext FROM crm_writer.salesforce_connection WHERE org_id = $1', [orgId]);
    assert.ok(row && !row.secret_ciphertext.includes('5Aep'), 'no refresh token in clear');
    const other = randomUUID();
    await seedWebServerConnection(other);
    await crm.sql('UPDATE crm_writer.salesforce_connection SET secret_ciphertext = $2 WHERE org_id = $1', [other, row.secret_ciphertext]);
    const stored = await store.get(other);
    assert.throws(() => store.secretOf(stored!), 'a ciphertext copied onto another organisation does not decrypt');
  });
});
