import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Connection } from 'jsforce';
import { DEFAULT_SANDBOX_USER, startSalesforceSandbox, toCanonicalId, type SalesforceSandbox } from '../src/salesforce';

/** The real jsforce client, logged in through the OAuth 2.0 username-password flow. */
async function login(sandbox: SalesforceSandbox, version = sandbox.apiVersion): Promise<Connection> {
  const conn = new Connection({
    oauth2: { loginUrl: sandbox.url, clientId: sandbox.clientId, clientSecret: sandbox.clientSecret },
    version,
  });
  await conn.login(DEFAULT_SANDBOX_USER.username, DEFAULT_SANDBOX_USER.password);
  return conn;
}

/** The error jsforce rejects with, for asserting on its code. */
async function rejection(promise: PromiseLike<unknown>): Promise<{ name: string; errorCode?: string; message: string; data?: unknown }> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof Error);
    return err as Error & { errorCode?: string; data?: unknown };
  }
  assert.fail('expected the call to fail');
}

async function raw(
  sandbox: SalesforceSandbox,
  conn: Connection,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(sandbox.url + path, {
    method,
    headers: { authorization: `Bearer ${conn.accessToken ?? ''}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

describe('Salesforce sandbox: OAuth 2.0 token endpoint', () => {
  let sandbox: SalesforceSandbox;
  before(async () => {
    sandbox = await startSalesforceSandbox();
  });
  after(async () => {
    await sandbox.stop();
  });

  it('logs jsforce in with the username-password flow and signs the identity URL', async () => {
    const conn = await login(sandbox);
    assert.equal(conn.instanceUrl, sandbox.url);
    assert.equal(conn.userInfo?.organizationId, sandbox.organizationId);
    assert.ok(conn.accessToken?.startsWith(`${sandbox.organizationId}!`));

    const form = new URLSearchParams({
      grant_type: 'password',
      client_id: sandbox.clientId,
      client_secret: sandbox.clientSecret,
      username: DEFAULT_SANDBOX_USER.username,
      password: DEFAULT_SANDBOX_USER.password,
    });
    const res = await fetch(`${sandbox.url}/services/oauth2/token`, { method: 'POST', body: form });
    const token = (await res.json()) as Record<string, string>;
    assert.equal(res.status, 200);
    assert.equal(token.token_type, 'Bearer');
    assert.equal(token.instance_url, sandbox.url);
    assert.equal(token.refresh_token, undefined, 'the username-password flow issues no refresh token');
    const expected = createHmac('sha256', sandbox.clientSecret)
      .update(String(token.id) + String(token.issued_at))
      .digest('base64');
    assert.equal(token.signature, expected);
  });

  it('rejects bad credentials with the documented OAuth errors', async () => {
    const cases = [
      { clientId: sandbox.clientId, clientSecret: sandbox.clientSecret, password: 'wrong', error: 'invalid_grant' },
      { clientId: sandbox.clientId, clientSecret: 'wrong', password: DEFAULT_SANDBOX_USER.password, error: 'invalid_client' },
      { clientId: 'nobody', clientSecret: 'x', password: DEFAULT_SANDBOX_USER.password, error: 'invalid_client_id' },
    ];
    for (const c of cases) {
      const conn = new Connection({ oauth2: { loginUrl: sandbox.url, clientId: c.clientId, clientSecret: c.clientSecret } });
      const err = await rejection(conn.login(DEFAULT_SANDBOX_USER.username, c.password));
      assert.equal(err.name, c.error);
    }
  });

  it('supports the client credentials flow', async () => {
    const conn = new Connection({
      oauth2: { loginUrl: sandbox.url, clientId: sandbox.clientId, clientSecret: sandbox.clientSecret },
      version: sandbox.apiVersion,
    });
    await conn.authorize({ grant_type: 'client_credentials' });
    const result = await conn.query('SELECT Id FROM User');
    assert.equal(result.totalSize, 1);
  });

  it('answers a missing or revoked session with 401 INVALID_SESSION_ID', async () => {
    const res = await fetch(`${sandbox.url}/services/data/v${sandbox.apiVersion}/sobjects`);
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  });

  it('lets jsforce log in again after every token was revoked', async () => {
    const conn = await login(sandbox);
    const tokenBefore = conn.accessToken;
    sandbox.revokeAllTokens();
    const before = sandbox.requests.filter((r) => r.path === '/services/oauth2/token').length;
    const result = await conn.query('SELECT Id FROM User');
    assert.equal(result.totalSize, 1);
    assert.notEqual(conn.accessToken, tokenBefore);
    assert.equal(sandbox.requests.filter((r) => r.path === '/services/oauth2/token').length, before + 1);
  });

  it('renews an expired session with a refresh token, and refuses a revoked one', async () => {
    const conn = new Connection({
      oauth2: { loginUrl: sandbox.url, clientId: sandbox.clientId, clientSecret: sandbox.clientSecret },
      instanceUrl: sandbox.url,
      accessToken: 'expired-session',
      refreshToken: sandbox.issueRefreshToken(DEFAULT_SANDBOX_USER.username),
      version: sandbox.apiVersion,
    });
    assert.equal((await conn.query('SELECT Id FROM User')).totalSize, 1);

    sandbox.expireAccessTokens();
    assert.equal((await conn.query('SELECT Id FROM User')).totalSize, 1, 'refresh token still valid');

    sandbox.revokeAllTokens();
    const err = await rejection(conn.query('SELECT Id FROM User'));
    assert.match(err.message, /expired access\/refresh token/);
  });

  it('never records tokens, passwords or query strings in the request log', async () => {
    const conn = await login(sandbox);
    await conn.query("SELECT Id FROM User WHERE Username = 'x'");
    for (const entry of sandbox.requests) {
      assert.ok(!entry.path.includes('?'));
      assert.ok(!entry.path.includes(conn.accessToken ?? '\u0000'));
      assert.ok(!entry.path.includes(DEFAULT_SANDBOX_USER.password));
    }
  });
});

describe('Salesforce sandbox: metadata', () => {
  let sandbox: SalesforceSandbox;
  let conn: Connection;
  before(async () => {
    sandbox = await startSalesforceSandbox();
    conn = await login(sandbox);
  });
  after(async () => {
    await sandbox.stop();
  });

  it('lists API versions without a session', async () => {
    const res = await fetch(`${sandbox.url}/services/data/`);
    const versions = (await res.json()) as Array<{ version: string; url: string; label: string }>;
    assert.equal(res.status, 200);
    const latest = versions.at(-1);
    assert.equal(latest?.version, sandbox.apiVersion);
    assert.equal(latest?.url, `/services/data/v${sandbox.apiVersion}`);
    assert.equal(versions.find((v) => v.version === '62.0')?.label, "Winter '25");
  });

  it('describes Task with the Telltale activity key as a unique External ID', async () => {
    const describe = await conn.describe('Task');
    assert.equal(describe.keyPrefix, '00T');
    const key = describe.fields.find((f) => f.name === 'Telltale_Activity_Key__c');
    assert.equal(key?.externalId, true);
    assert.equal(key?.idLookup, true);
    assert.equal(key?.unique, true);
    const subtype = describe.fields.find((f) => f.name === 'TaskSubtype');
    assert.equal(subtype?.createable, true);
    assert.equal(subtype?.updateable, false);
    assert.deepEqual(
      describe.fields.find((f) => f.name === 'WhoId')?.referenceTo,
      ['Contact', 'Lead'],
    );
    const global = await conn.describeGlobal();
    assert.deepEqual(
      global.sobjects.map((s) => s.name).sort(),
      ['Account', 'Contact', 'EmailMessage', 'EmailMessageRelation', 'Lead', 'Opportunity', 'Task', 'User'],
    );
  });

  it('answers unknown objects and versions with 404 NOT_FOUND', async () => {
    assert.equal((await rejection(conn.describe('Nope__c'))).errorCode, 'NOT_FOUND');
    const res = await raw(sandbox, conn, 'GET', '/services/data/v12.0/sobjects');
    assert.equal(res.status, 404);
  });
});

describe('Salesforce sandbox: sObject rows', () => {
  let sandbox: SalesforceSandbox;
  let conn: Connection;
  before(async () => {
    sandbox = await startSalesforceSandbox();
    conn = await login(sandbox);
  });
  after(async () => {
    await sandbox.stop();
  });

  it('creates, retrieves, updates and deletes a Contact', async () => {
    const created = await conn.sobject('Contact').create({ FirstName: 'Ada', LastName: 'Lovelace', Email: 'ada@example.com' });
    assert.equal(created.success, true);
    const id = created.id as string;
    assert.equal(id.length, 18);
    assert.ok(id.startsWith('003'));
    assert.equal(toCanonicalId(id.slice(0, 15)), id, 'the 18-character form carries the case-safe suffix');

    const record = await conn.sobject('Contact').retrieve(id);
    assert.deepEqual(record.attributes, { type: 'Contact', url: `/services/data/v${sandbox.apiVersion}/sobjects/Contact/${id}` });
    assert.equal(record.Name, 'Ada Lovelace');
    assert.equal(record.OwnerId, conn.userInfo?.id, 'owner defaults to the calling user');

    const updated = await conn.sobject('Contact').update({ Id: id, Title: 'Analyst' });
    assert.equal(updated.success, true);
    assert.equal(sandbox.records('Contact').find((r) => r.Id === id)?.Title, 'Analyst');

    const byFields = await raw(sandbox, conn, 'GET', `/services/data/v${sandbox.apiVersion}/sobjects/Contact/${id}?fields=Email,Title`);
    assert.deepEqual(Object.keys(byFields.body as object), ['attributes', 'Email', 'Title']);

    assert.equal((await conn.sobject('Contact').destroy(id)).success, true);
    assert.equal((await rejection(conn.sobject('Contact').retrieve(id))).errorCode, 'ENTITY_IS_DELETED');
    assert.equal(sandbox.records('Contact').length, 0);
    const recycleBin = await conn.query(`SELECT Id, IsDeleted FROM Contact WHERE Id = '${id}'`, { scanAll: true });
    assert.equal(recycleBin.records[0]?.IsDeleted, true);
  });

  it('answers 201 with the documented body, and 204 for update and delete', async () => {
    const base = `/services/data/v${sandbox.apiVersion}/sobjects/Account`;
    const created = await raw(sandbox, conn, 'POST', base, { Name: 'Acme' });
    assert.equal(created.status, 201);
    const { id } = created.body as { id: string };
    assert.deepEqual(created.body, { id, success: true, errors: [] });
    assert.equal((await raw(sandbox, conn, 'PATCH', `${base}/${id}`, { Phone: '555' })).status, 204);
    assert.equal((await raw(sandbox, conn, 'DELETE', `${base}/${id}`)).status, 204);
    const again = await raw(sandbox, conn, 'PUT', `${base}/${id}`, {});
    assert.equal(again.status, 405);
  });

  it('validates writes the way the API does', async () => {
    const accountId = sandbox.seed('Account', { Name: 'Acme' });
    const cases: Array<{ object: string; record: Record<string, unknown>; errorCode: string; fields?: string[] }> = [
      { object: 'Contact', record: { Email: 'a@b.co' }, errorCode: 'REQUIRED_FIELD_MISSING', fields: ['LastName'] },
      { object: 'Contact', record: { LastName: 'X', Nickname__c: 'y' }, errorCode: 'INVALID_FIELD' },
      { object: 'Contact', record: { LastName: 'X', Email: 'not-an-email' }, errorCode: 'INVALID_EMAIL_ADDRESS', fields: ['Email'] },
      { object: 'Contact', record: { LastName: 'X'.repeat(81) }, errorCode: 'STRING_TOO_LONG', fields: ['LastName'] },
      { object: 'Contact', record: { LastName: 'X', AccountId: 'garbage' }, errorCode: 'MALFORMED_ID', fields: ['AccountId'] },
      { object: 'Lead', record: { LastName: 'X', Company: 'Y', IsConverted: true }, errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['IsConverted'] },
      { object: 'Task', record: { Subject: 'x', WhoId: accountId }, errorCode: 'FIELD_INTEGRITY_EXCEPTION', fields: ['WhoId'] },
      { object: 'Task', record: { Subject: 'x', TaskSubtype: 'Fax' }, errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', fields: ['TaskSubtype'] },
      { object: 'Task', record: { Subject: 'x', ActivityDate: '2024-02-30' }, errorCode: 'JSON_PARSER_ERROR' },
      { object: 'Nope__c', record: { Name: 'x' }, errorCode: 'NOT_FOUND' },
    ];
    for (const c of cases) {
      const err = await rejection(conn.sobject(c.object).create(c.record));
      assert.equal(err.errorCode, c.errorCode, `${c.object} ${JSON.stringify(c.record)}`);
      if (c.fields) assert.deepEqual((err.data as { fields?: string[] }).fields, c.fields);
    }
  });

  it('sets TaskSubtype on create and refuses to change it afterwards', async () => {
    const task = await conn.sobject('Task').create({ Subject: 'Email: hello', TaskSubtype: 'Email', Status: 'Completed' });
    const stored = sandbox.records('Task').find((r) => r.Id === task.id);
    assert.equal(stored?.TaskSubtype, 'Email');
    assert.equal(stored?.IsClosed, true, 'a Completed task is closed');
    assert.equal(stored?.Priority, 'Normal', 'picklist default applied');
    const err = await rejection(conn.sobject('Task').update({ Id: task.id as string, TaskSubtype: 'Call' }));
    assert.equal(err.errorCode, 'INVALID_FIELD_FOR_INSERT_UPDATE');
  });
});

describe('Salesforce sandbox: upsert by External ID', () => {
  let sandbox: SalesforceSandbox;
  let conn: Connection;
  before(async () => {
    sandbox = await startSalesforceSandbox();
    conn = await login(sandbox);
  });
  after(async () => {
    await sandbox.stop();
  });

  it('creates on the first call and updates the same record on the next', async () => {
    const task = conn.sobject('Task');
    const first = await task.upsert({ Subject: 'First', Telltale_Activity_Key__c: 'email-sent:1' }, 'Telltale_Activity_Key__c');
    assert.equal(first.success, true);
    assert.equal(first.created, true);
    const second = await task.upsert({ Subject: 'Second', Telltale_Activity_Key__c: 'EMAIL-SENT:1' }, 'Telltale_Activity_Key__c');
    assert.equal(second.created, false, 'external IDs match case-insensitively');
    assert.equal(second.id, first.id);
    const tasks = sandbox.records('Task');
    assert.equal(tasks.length, 1);
    assert.equal(tasks[0]?.Subject, 'Second');
  });

  it('answers 201 created:true, then 200 created:false; 204 before API v46.0', async () => {
    const path = (v: string): string => `/services/data/v${v}/sobjects/Task/Telltale_Activity_Key__c/reply:7`;
    const inserted = await raw(sandbox, conn, 'PATCH', path(sandbox.apiVersion), { Subject: 'Re: hi' });
    assert.equal(inserted.status, 201);
    const id = (inserted.body as { id: string }).id;
    assert.deepEqual(inserted.body, { id, success: true, errors: [], created: true });
    const updated = await raw(sandbox, conn, 'PATCH', path(sandbox.apiVersion), { Subject: 'Re: hi again' });
    assert.equal(updated.status, 200);
    assert.deepEqual(updated.body, { id, success: true, errors: [], created: false });
    const legacy = await raw(sandbox, conn, 'PATCH', path('45.0'), { Subject: 'Re: legacy' });
    assert.equal(legacy.status, 204);
  });

  it('refuses fields that are not External IDs, and reports several matches as 300', async () => {
    const notExternal = await rejection(conn.sobject('Task').upsert({ Subject: 'x', Description: 'y' }, 'Description'));
    assert.equal(notExternal.errorCode, 'NOT_FOUND');
    assert.match(notExternal.message, /Provided external ID field does not exist or is not accessible: Description/);

    sandbox.seed('Contact', { LastName: 'One', Email: 'twin@example.com' });
    sandbox.seed('Contact', { LastName: 'Two', Email: 'twin@example.com' });
    const twins = await rejection(conn.sobject('Contact').upsert({ LastName: 'Three', Email: 'twin@example.com' }, 'Email'));
    assert.equal(twins.errorCode, 'MULTIPLE_CHOICES');
    assert.equal((twins.data as string[]).length, 2);
  });

  it('keeps the External ID unique on plain creates too', async () => {
    await conn.sobject('Task').create({ Subject: 'a', Telltale_Activity_Key__c: 'unique-1' });
    const err = await rejection(conn.sobject('Task').create({ Subject: 'b', Telltale_Activity_Key__c: 'UNIQUE-1' }));
    assert.equal(err.errorCode, 'DUPLICATE_VALUE');
  });
});

describe('Salesforce sandbox: sObject Collections', () => {
  let sandbox: SalesforceSandbox;
  let conn: Connection;
  before(async () => {
    sandbox = await startSalesforceSandbox();
    conn = await login(sandbox);
  });
  after(async () => {
    await sandbox.stop();
  });

  it('creates, retrieves, updates and deletes many records per request', async () => {
    const created = await conn.sobject('Contact').create([
      { LastName: 'A', Email: 'a@example.com' },
      { LastName: 'B', Email: 'b@example.com' },
    ]);
    assert.deepEqual(created.map((r) => r.success), [true, true]);
    assert.ok(sandbox.requests.some((r) => r.method === 'POST' && r.path.endsWith('/composite/sobjects')));
    const ids = created.map((r) => r.id as string);

    const fetched = await conn.sobject('Contact').retrieve(ids);
    assert.deepEqual(fetched.map((r) => r.Email), ['a@example.com', 'b@example.com']);

    const updated = await conn.sobject('Contact').update(ids.map((Id) => ({ Id, Title: 'Buyer' })));
    assert.deepEqual(updated.map((r) => r.success), [true, true]);
    assert.deepEqual(sandbox.records('Contact').map((r) => r.Title), ['Buyer', 'Buyer']);

    const deleted = await conn.sobject('Contact').destroy(ids);
    assert.deepEqual(deleted.map((r) => r.success), [true, true]);
    assert.equal(sandbox.records('Contact').length, 0);
  });

  it('keeps the good records when allOrNone is false', async () => {
    const results = (await conn.sobject('Lead').create([{ LastName: 'Good', Company: 'Co' }, { LastName: 'Bad' }], {
      allOrNone: false,
    })) as unknown as Array<{ success: boolean; errors: Array<{ statusCode: string; fields: string[] }> }>;
    assert.equal(results[0]?.success, true);
    assert.equal(results[1]?.success, false);
    assert.deepEqual(results[1]?.errors, [
      { statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [Company]', fields: ['Company'] },
    ]);
    assert.equal(sandbox.records('Lead').length, 1);
  });

  it('rolls everything back when allOrNone is true', async () => {
    const before = sandbox.records('Account').length;
    const results = (await conn.sobject('Account').create([{ Name: 'Fine' }, { Phone: '1' }], {
      allOrNone: true,
    })) as unknown as Array<{ success: boolean; errors: Array<{ statusCode: string }> }>;
    assert.deepEqual(
      results.map((r) => r.errors[0]?.statusCode),
      ['ALL_OR_NONE_OPERATION_ROLLED_BACK', 'REQUIRED_FIELD_MISSING'],
    );
    assert.equal(sandbox.records('Account').length, before);
  });

  it('upserts many records by External ID', async () => {
    await conn.sobject('Task').create({ Subject: 'old', Telltale_Activity_Key__c: 'k-1' });
    const results = await conn.sobject('Task').upsert(
      [
        { Subject: 'new 1', Telltale_Activity_Key__c: 'k-1' },
        { Subject: 'new 2', Telltale_Activity_Key__c: 'k-2' },
      ],
      'Telltale_Activity_Key__c',
    );
    assert.deepEqual(results.map((r) => r.created), [false, true]);
    assert.ok(sandbox.requests.some((r) => r.method === 'PATCH' && r.path.endsWith('/composite/sobjects/Task/Telltale_Activity_Key__c')));
    assert.deepEqual(
      sandbox.records('Task').map((r) => r.Subject).sort(),
      ['new 1', 'new 2'],
    );
  });

  it('rejects more than 200 records in one request', async () => {
    const records = Array.from({ length: 201 }, (_, i) => ({ attributes: { type: 'Account' }, Name: `A${i}` }));
    const res = await raw(sandbox, conn, 'POST', `/services/data/v${sandbox.apiVersion}/composite/sobjects`, { records });
    assert.equal(res.status, 400);
    assert.equal((res.body as Array<{ errorCode: string }>)[0]?.errorCode, 'EXCEEDED_ID_LIMIT');
  });
});

describe('Salesforce sandbox: query over jsforce', () => {
  let sandbox: SalesforceSandbox;
  let conn: Connection;
  before(async () => {
    sandbox = await startSalesforceSandbox();
    conn = await login(sandbox);
    sandbox.seed('Contact', { FirstName: 'Ann', LastName: 'Archer', Email: 'Ann@Example.com' });
    sandbox.seed('Contact', { FirstName: 'Bob', LastName: "O'Brien", Email: "bob.o'brien@example.com" });
    sandbox.seed('Contact', { LastName: 'Cole' });
  });
  after(async () => {
    await sandbox.stop();
  });

  it('returns records with attributes, matching text case-insensitively', async () => {
    const result = await conn.query<{ Id: string; Email: string }>(
      "select id, email from contact where EMAIL = 'ann@example.com'",
    );
    assert.equal(result.totalSize, 1);
    assert.equal(result.done, true);
    const [record] = result.records;
    assert.equal(record?.Email, 'Ann@Example.com');
    assert.equal((record as unknown as { attributes: { type: string } }).attributes.type, 'Contact');
  });

  it('reads escaped literals', async () => {
    const result = await conn.query("SELECT LastName FROM Contact WHERE Email = 'bob.o\\'brien@example.com'");
    assert.deepEqual(result.records.map((r) => r.LastName), ["O'Brien"]);
  });

  it('pages large results through nextRecordsUrl', async () => {
    for (let i = 0; i < 250; i += 1) sandbox.seed('Account', { Name: `Account ${String(i).padStart(3, '0')}` });
    const first = await conn.query('SELECT Name FROM Account ORDER BY Name', {
      headers: { 'Sforce-Query-Options': 'batchSize=200' },
    });
    assert.equal(first.totalSize, 250);
    assert.equal(first.done, false);
    assert.equal(first.records.length, 200);
    assert.ok(first.nextRecordsUrl);
    const rest = await conn.queryMore(first.nextRecordsUrl as string);
    assert.equal(rest.totalSize, 250, 'every page reports the whole result size');
    assert.equal(rest.done, true);
    assert.equal(rest.records.length, 50);
    assert.equal(rest.records.at(-1)?.Name, 'Account 249');
  });

  it('counts with COUNT()', async () => {
    const result = await conn.query("SELECT COUNT() FROM Contact WHERE Email != null");
    assert.equal(result.totalSize, 2);
    assert.deepEqual(result.records, []);
  });

  it('rejects what it does not support with MALFORMED_QUERY, and unknown names by kind', async () => {
    const cases = [
      { soql: "SELECT Id FROM Contact WHERE LastName = 'a' AND FirstName = 'b' OR Email = null", errorCode: 'MALFORMED_QUERY' },
      { soql: 'SELECT Account.Name FROM Contact', errorCode: 'MALFORMED_QUERY' },
      { soql: 'SELECT Id FROM Contact WHERE CreatedDate = TODAY', errorCode: 'MALFORMED_QUERY' },
      { soql: 'SELECT Id FROM Contact GROUP BY LastName', errorCode: 'MALFORMED_QUERY' },
      { soql: 'SELECT Id FROM', errorCode: 'MALFORMED_QUERY' },
      { soql: 'SELECT Nickname FROM Contact', errorCode: 'INVALID_FIELD' },
      { soql: 'SELECT Id FROM Widget__c', errorCode: 'INVALID_TYPE' },
      { soql: "SELECT Id FROM Lead WHERE IsConverted = 'false'", errorCode: 'INVALID_FIELD' },
    ];
    for (const c of cases) {
      const err = await rejection(conn.query(c.soql));
      assert.equal(err.errorCode, c.errorCode, c.soql);
    }
    const res = await raw(sandbox, conn, 'GET', `/services/data/v${sandbox.apiVersion}/query?q=${encodeURIComponent('SELECT FROM x')}`);
    assert.equal(res.status, 400);
    const [error] = res.body as Array<{ errorCode: string; message: string }>;
    assert.equal(error?.errorCode, 'MALFORMED_QUERY');
    assert.equal(typeof error?.message, 'string');
  });
});

describe('Salesforce sandbox: persistence and fault injection', () => {
  it('keeps records and ids in its data file across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-sandbox-'));
    try {
      const dataFile = join(dir, 'org.json');
      const first = await startSalesforceSandbox({ dataFile });
      const conn = await login(first);
      const created = await conn.sobject('Contact').create({ LastName: 'Persisted', Email: 'p@example.com' });
      const userId = conn.userInfo?.id;
      await first.stop();

      const second = await startSalesforceSandbox({ dataFile });
      try {
        assert.deepEqual(second.records('Contact').map((r) => r.Id), [created.id]);
        const again = await login(second);
        assert.equal(again.userInfo?.id, userId, 'the same User record logs in');
        const next = await again.sobject('Contact').create({ LastName: 'After restart' });
        assert.notEqual(next.id, created.id);
        const result = await again.query("SELECT LastName FROM Contact WHERE Email = 'p@example.com'");
        assert.deepEqual(result.records.map((r) => r.LastName), ['Persisted']);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers the next matching request with an intercepted response', async () => {
    const sandbox = await startSalesforceSandbox();
    try {
      const conn = await login(sandbox);
      sandbox.intercept({
        method: 'POST',
        pathIncludes: '/sobjects/Account',
        status: 403,
        body: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
      });
      const err = await rejection(conn.sobject('Account').create({ Name: 'Throttled' }));
      assert.equal(err.errorCode, 'REQUEST_LIMIT_EXCEEDED');
      const ok = await conn.sobject('Account').create({ Name: 'Fine now' });
      assert.equal(ok.success, true);
    } finally {
      await sandbox.stop();
    }
  });
});
