import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SANDBOX_USER, startSalesforceSandbox, type SalesforceSandbox } from '../src/salesforce';

/**
 * The sandbox holds clients to Salesforce's documented limits and failures: the daily API
 * allocation and its header, sObject Collections upsert semantics, all-or-none, field-level
 * security, required fields, restricted picklists and row locks.
 */

const OTHER_USER = { username: 'limited@acme.test', password: 'limited-secret' };

async function token(sandbox: SalesforceSandbox, user = DEFAULT_SANDBOX_USER): Promise<string> {
  const res = await fetch(`${sandbox.url}/services/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'password', client_id: sandbox.clientId, client_secret: sandbox.clientSecret, username: user.username, password: user.password }),
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { access_token: string }).access_token;
}

interface Answer {
  status: number;
  body: unknown;
  limitInfo: string | null;
}

async function call(sandbox: SalesforceSandbox, accessToken: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${sandbox.url}/services/data/v${sandbox.apiVersion}${path}`, {
    method,
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown), limitInfo: res.headers.get('sforce-limit-info') };
}

const task = (key: string, extra: Record<string, unknown> = {}) => ({ attributes: { type: 'Task' }, Telltale_Activity_Key__c: key, Subject: `Email ${key}`, ...extra });
type Result = { id?: string | null; success: boolean; created?: boolean; errors: Array<{ statusCode: string; fields: string[] }> };
const codes = (body: unknown) => (body as Result[]).map((r) => (r.success ? (r.created === undefined ? 'ok' : r.created ? 'created' : 'updated') : r.errors[0]?.statusCode));

describe('Salesforce sandbox: daily API allocation', () => {
  let sandbox: SalesforceSandbox;
  let now = new Date('2026-03-02T09:00:00Z');
  before(async () => {
    sandbox = await startSalesforceSandbox({ clock: { now: () => now }, dailyApiAllocation: 5 });
  });
  after(() => sandbox.stop());

  it('reports usage on every response, refuses calls with 403 REQUEST_LIMIT_EXCEEDED once spent, and frees them 24 hours later', async () => {
    const accessToken = await token(sandbox);
    const first = await call(sandbox, accessToken, 'GET', '/query?q=SELECT+Id+FROM+Contact');
    assert.equal(first.status, 200);
    assert.equal(first.limitInfo, 'api-usage=1/5');
    // Errors count too, and carry the header.
    const bad = await call(sandbox, accessToken, 'GET', '/query?q=SELECT+Nope+FROM+Contact');
    assert.equal(bad.status, 400);
    assert.equal(bad.limitInfo, 'api-usage=2/5');
    sandbox.spendApiCalls(3);
    const refused = await call(sandbox, accessToken, 'GET', '/query?q=SELECT+Id+FROM+Contact');
    assert.equal(refused.status, 403);
    assert.deepEqual(refused.body, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
    assert.equal(refused.limitInfo, 'api-usage=5/5');
    assert.deepEqual(sandbox.apiUsage(), { used: 5, limit: 5 });

    now = new Date(now.getTime() + 24 * 60 * 60 * 1000 + 1);
    const later = await call(sandbox, accessToken, 'GET', '/query?q=SELECT+Id+FROM+Contact');
    assert.equal(later.status, 200);
    assert.equal(later.limitInfo, 'api-usage=1/5');
  });
});

describe('Salesforce sandbox: strict writes', () => {
  let sandbox: SalesforceSandbox;
  let accessToken: string;
  before(async () => {
    sandbox = await startSalesforceSandbox({ users: [DEFAULT_SANDBOX_USER, OTHER_USER] });
    accessToken = await token(sandbox);
  });
  after(() => sandbox.stop());

  it('upserts a collection by External ID: created, then updated, the same key twice in one call refused', async () => {
    const first = await call(sandbox, accessToken, 'PATCH', '/composite/sobjects/Task/Telltale_Activity_Key__c', {
      allOrNone: false,
      records: [task('k-1'), task('k-2')],
    });
    assert.equal(first.status, 200);
    assert.deepEqual(codes(first.body), ['created', 'created']);
    const second = await call(sandbox, accessToken, 'PATCH', '/composite/sobjects/Task/Telltale_Activity_Key__c', {
      allOrNone: false,
      records: [task('K-1', { Subject: 'changed' }), task('k-3'), task('k-3')],
    });
    assert.deepEqual(codes(second.body), ['updated', 'DUPLICATE_EXTERNAL_ID', 'DUPLICATE_EXTERNAL_ID']);
    const tasks = sandbox.records('Task');
    assert.equal(tasks.length, 2);
    assert.equal(tasks.find((t) => String(t.Telltale_Activity_Key__c).toLowerCase() === 'k-1')?.Subject, 'changed');
  });

  it('reports a key matching several records per record, and keeps a unique External ID unique on create', async () => {
    sandbox.seed('Contact', { LastName: 'One', Email: 'twin@buyer.example' });
    sandbox.seed('Contact', { LastName: 'Two', Email: 'twin@buyer.example' });
    const several = await call(sandbox, accessToken, 'PATCH', '/composite/sobjects/Contact/Email', {
      records: [{ attributes: { type: 'Contact' }, Email: 'twin@buyer.example', LastName: 'Three' }],
    });
    assert.deepEqual(codes(several.body), ['DUPLICATE_EXTERNAL_ID']);
    const single = await call(sandbox, accessToken, 'PATCH', '/sobjects/Contact/Email/twin@buyer.example', { LastName: 'Three' });
    assert.equal(single.status, 300);
    const duplicate = await call(sandbox, accessToken, 'POST', '/composite/sobjects', { records: [task('k-2')] });
    assert.deepEqual(codes(duplicate.body), ['DUPLICATE_VALUE']);
  });

  it('refuses more than 200 records in one upsert', async () => {
    const records = Array.from({ length: 201 }, (_, i) => task(`bulk-${i}`));
    const answer = await call(sandbox, accessToken, 'PATCH', '/composite/sobjects/Task/Telltale_Activity_Key__c', { records });
    assert.equal(answer.status, 400);
    assert.equal((answer.body as Array<{ errorCode: string }>)[0]?.errorCode, 'EXCEEDED_ID_LIMIT');
    assert.equal(sandbox.records('Task').filter((t) => String(t.Telltale_Activity_Key__c).startsWith('bulk-')).length, 0);
  });

  it('fails a locked row alone without allOrNone, and rolls the whole call back with it', async () => {
    sandbox.failRowLocks(1, 'Task');
    const partial = await call(sandbox, accessToken, 'PATCH', '/composite/sobjects/Task/Telltale_Activity_Key__c', {
      allOrNone: false,
      records: [task('lock-1'), task('lock-2'), task('lock-3')],
    });
    assert.deepEqual(codes(partial.body), ['UNABLE_TO_LOCK_ROW', 'created', 'created']);
    sandbox.failRowLocks(1, 'Task');
    const atomic = await call(sandbox, accessToken, 'PATCH', '/composite/sobjects/Task/Telltale_Activity_Key__c', {
      allOrNone: true,
      records: [task('lock-4'), task('lock-5')],
    });
    assert.deepEqual(codes(atomic.body), ['UNABLE_TO_LOCK_ROW', 'ALL_OR_NONE_OPERATION_ROLLED_BACK']);
    const keys = sandbox.records('Task').map((t) => t.Telltale_Activity_Key__c);
    assert.deepEqual(['lock-1', 'lock-2', 'lock-3', 'lock-4', 'lock-5'].filter((k) => keys.includes(k)), ['lock-2', 'lock-3']);
  });

  it('enforces required fields and restricted picklists per record', async () => {
    const answer = await call(sandbox, accessToken, 'POST', '/composite/sobjects', {
      allOrNone: false,
      records: [
        { attributes: { type: 'Contact' }, FirstName: 'No last name' },
        task('pick-1', { Telltale_Direction__c: 'Sideways' }),
        task('pick-2', { Telltale_Direction__c: 'Outbound' }),
      ],
    });
    assert.deepEqual(codes(answer.body), ['REQUIRED_FIELD_MISSING', 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', 'ok']);
  });

  it('applies field-level security: a hidden field does not exist, a read-only one cannot be written, for that user only', async () => {
    sandbox.setFieldAccess('Task', 'Telltale_Opens__c', 'hidden', OTHER_USER.username);
    sandbox.setFieldAccess('Task', 'Telltale_Clicks__c', 'read', OTHER_USER.username);
    const limited = await token(sandbox, OTHER_USER);
    const hidden = await call(sandbox, limited, 'PATCH', '/composite/sobjects/Task/Telltale_Activity_Key__c', {
      records: [task('fls-1', { Telltale_Opens__c: 1 }), task('fls-2', { Telltale_Clicks__c: 1 }), task('fls-3')],
    });
    assert.deepEqual(codes(hidden.body), ['INVALID_FIELD', 'INVALID_FIELD_FOR_INSERT_UPDATE', 'created']);
    const query = await call(sandbox, limited, 'GET', '/query?q=SELECT+Id,Telltale_Opens__c+FROM+Task');
    assert.equal(query.status, 400);
    assert.equal((query.body as Array<{ errorCode: string }>)[0]?.errorCode, 'INVALID_FIELD');
    const readable = await call(sandbox, limited, 'GET', '/query?q=SELECT+Id,Telltale_Clicks__c+FROM+Task');
    assert.equal(readable.status, 200);
    // The integration user's own access is unchanged.
    const full = await call(sandbox, accessToken, 'PATCH', '/composite/sobjects/Task/Telltale_Activity_Key__c', {
      records: [task('fls-1', { Telltale_Opens__c: 1, Telltale_Clicks__c: 2 })],
    });
    assert.deepEqual(codes(full.body), ['created']);
  });

  it('runs a Composite request as ONE call: queries and writes, references to earlier answers, all-or-none', async () => {
    const before = sandbox.apiUsage().used;
    const v = `/services/data/v${sandbox.apiVersion}`;
    const answer = await call(sandbox, accessToken, 'POST', '/composite', {
      compositeRequest: [
        { method: 'POST', url: `${v}/sobjects/Account`, referenceId: 'acct', body: { Name: 'Composite Co' } },
        { method: 'POST', url: `${v}/sobjects/Contact`, referenceId: 'person', body: { LastName: 'Comp', AccountId: '@{acct.id}', Email: 'comp@co.example' } },
        { method: 'GET', url: `${v}/query?q=${encodeURIComponent("SELECT Id, AccountId FROM Contact WHERE Email = 'comp@co.example'")}`, referenceId: 'found' },
        { method: 'GET', url: `${v}/query?q=${encodeURIComponent('SELECT Nope FROM Contact')}`, referenceId: 'broken' },
      ],
    });
    assert.equal(answer.status, 200);
    assert.equal(sandbox.apiUsage().used, before + 1, 'the whole series counts as one call');
    const subs = (answer.body as { compositeResponse: Array<{ referenceId: string; httpStatusCode: number; body: unknown }> }).compositeResponse;
    assert.deepEqual(subs.map((s) => [s.referenceId, s.httpStatusCode]), [['acct', 201], ['person', 201], ['found', 200], ['broken', 400]]);
    const accountId = (subs[0]?.body as { id: string }).id;
    assert.equal((subs[2]?.body as { records: Array<{ AccountId: string }> }).records[0]?.AccountId, accountId);

    const atomic = await call(sandbox, accessToken, 'POST', '/composite', {
      allOrNone: true,
      compositeRequest: [
        { method: 'POST', url: `${v}/sobjects/Account`, referenceId: 'kept', body: { Name: 'Rolled Back Co' } },
        { method: 'POST', url: `${v}/sobjects/Contact`, referenceId: 'bad', body: { FirstName: 'No last name' } },
      ],
    });
    const atomicSubs = (atomic.body as { compositeResponse: Array<{ httpStatusCode: number; body: Array<{ errorCode: string }> }> }).compositeResponse;
    assert.deepEqual(atomicSubs.map((s) => s.body[0]?.errorCode), ['PROCESSING_HALTED', 'REQUIRED_FIELD_MISSING']);
    assert.equal(sandbox.records('Account').filter((a) => a.Name === 'Rolled Back Co').length, 0);

    const q = { method: 'GET', url: `${v}/query?q=${encodeURIComponent('SELECT Id FROM Contact')}` };
    const tooMany = await call(sandbox, accessToken, 'POST', '/composite', { compositeRequest: Array.from({ length: 6 }, (_, i) => ({ ...q, referenceId: `q${i}` })) });
    assert.equal(tooMany.status, 400);
  });

  it('answers an expired session with 401 INVALID_SESSION_ID', async () => {
    const session = await token(sandbox);
    sandbox.expireAccessTokens();
    const answer = await call(sandbox, session, 'GET', '/query?q=SELECT+Id+FROM+Task');
    assert.equal(answer.status, 401);
    assert.deepEqual(answer.body, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    accessToken = await token(sandbox);
  });
});
