import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Registry, sampleValue } from '@telltale/runtime';
import { startSalesforceSandbox, type SalesforceSandbox } from '@telltale/testing';
import {
  cacheConnection,
  createJsforceConnection,
  InvalidActivityError,
  mapSalesforceError,
  SalesforceActivityGateway,
  type SalesforceCredentials,
  type TaskActivity,
} from '../src/salesforce';

const INTEGRATION_USER = { username: 'integration@acme.test', password: 'integration-secret' };
const REP_USER = { username: 'rep@acme.test', password: 'rep-secret' };

function credentials(sandbox: SalesforceSandbox): SalesforceCredentials {
  return {
    loginUrl: sandbox.url,
    clientId: sandbox.clientId,
    clientSecret: sandbox.clientSecret,
    username: INTEGRATION_USER.username,
    password: INTEGRATION_USER.password,
  };
}

function activity(overrides: Partial<TaskActivity> = {}): TaskActivity {
  return {
    activityKey: 'email-sent:5b0c2f9e-1d7a-4a55-9f43-2b1d8f6c1a10',
    whoEmail: 'dana@buyer.example',
    subject: 'Email: Pricing follow-up',
    description: 'Sent from Telltale',
    activityDate: '2025-03-14',
    status: 'Completed',
    taskSubtype: 'Email',
    ...overrides,
  };
}

describe('SalesforceActivityGateway against the Salesforce sandbox', () => {
  let sandbox: SalesforceSandbox;
  let gateway: SalesforceActivityGateway;

  before(async () => {
    sandbox = await startSalesforceSandbox({ users: [INTEGRATION_USER, REP_USER] });
    gateway = new SalesforceActivityGateway(cacheConnection(() => createJsforceConnection(credentials(sandbox))));
  });
  after(async () => {
    await sandbox.stop();
  });

  describe('findWho', () => {
    let contactId: string;
    let leadId: string;
    before(() => {
      contactId = sandbox.seed('Contact', { LastName: 'Dana', Email: 'Dana@Buyer.example' });
      sandbox.seed('Lead', { LastName: 'Dana', Company: 'Buyer', Email: 'dana@buyer.example' });
      leadId = sandbox.seed('Lead', { LastName: 'Lee', Company: 'Prospect Co', Email: 'lee@prospect.example' });
      sandbox.seed('Lead', { LastName: 'Old', Company: 'Gone', Email: 'converted@prospect.example', IsConverted: true });
      sandbox.seed('Contact', { LastName: "O'Hara", Email: "o'hara@buyer.example" });
    });

    it('prefers the Contact, matching the address case-insensitively', async () => {
      assert.deepEqual(await gateway.findWho('dana@buyer.example'), { id: contactId, type: 'Contact' });
    });

    it('falls back to an unconverted Lead', async () => {
      assert.deepEqual(await gateway.findWho('lee@prospect.example'), { id: leadId, type: 'Lead' });
    });

    it('ignores converted Leads and unknown addresses', async () => {
      assert.equal(await gateway.findWho('converted@prospect.example'), null);
      assert.equal(await gateway.findWho('nobody@nowhere.example'), null);
    });

    it('escapes the address, so quotes neither break nor widen the query', async () => {
      const match = await gateway.findWho("o'hara@buyer.example");
      assert.equal(match?.type, 'Contact');
      assert.equal(await gateway.findWho("x' OR Email != null OR Email = 'y"), null);
    });
  });

  describe('logTask', () => {
    let contactId: string;
    before(() => {
      contactId = sandbox.seed('Contact', { LastName: 'Quinn', Email: 'quinn@buyer.example' });
    });

    it('logs a completed email Task on the Contact', async () => {
      const key = 'email-sent:first';
      const logged = await gateway.logTask(activity({ activityKey: key, whoEmail: 'quinn@buyer.example' }));
      assert.equal(logged.created, true);
      assert.equal(logged.whoId, contactId);
      const task = sandbox.records('Task').find((t) => t.Id === logged.taskId);
      assert.ok(task);
      assert.equal(task.WhoId, contactId);
      assert.equal(task.Subject, 'Email: Pricing follow-up');
      assert.equal(task.Description, 'Sent from Telltale');
      assert.equal(task.ActivityDate, '2025-03-14');
      assert.equal(task.Status, 'Completed');
      assert.equal(task.IsClosed, true);
      assert.equal(task.TaskSubtype, 'Email');
      assert.equal(task.Telltale_Activity_Key__c, key);
    });

    it('leaves exactly one Task when the same activity is logged twice', async () => {
      const key = 'reply:twice';
      const first = await gateway.logTask(activity({ activityKey: key, whoEmail: 'quinn@buyer.example' }));
      const writesBefore = sandbox.requests.filter((r) => r.method === 'PATCH').length;
      const second = await gateway.logTask(activity({ activityKey: key, whoEmail: 'quinn@buyer.example', subject: 'changed' }));
      assert.equal(second.created, false);
      assert.equal(second.taskId, first.taskId);
      assert.equal(second.whoId, contactId);
      assert.equal(sandbox.requests.filter((r) => r.method === 'PATCH').length, writesBefore, 'a redelivery writes nothing');
      const tasks = sandbox.records('Task').filter((t) => t.Telltale_Activity_Key__c === key);
      assert.equal(tasks.length, 1);
      assert.equal(tasks[0]?.Subject, 'Email: Pricing follow-up', 'the existing Task is left as it was');
    });

    it('still leaves one Task when another delivery wins the race between lookup and upsert', async () => {
      const key = 'email-sent:raced';
      const winner = sandbox.seed('Task', {
        Subject: 'logged by the other worker',
        TaskSubtype: 'Email',
        Status: 'Completed',
        WhoId: contactId,
        Telltale_Activity_Key__c: key,
      });
      // The first query (the lookup by key) sees Salesforce as it was before the other worker's write.
      sandbox.intercept({ method: 'GET', pathIncludes: '/query', status: 200, body: { totalSize: 0, done: true, records: [] } });
      const logged = await gateway.logTask(activity({ activityKey: key, whoEmail: 'quinn@buyer.example' }));
      assert.deepEqual(logged, { taskId: winner, whoId: contactId, created: false });
      assert.equal(sandbox.records('Task').filter((t) => t.Telltale_Activity_Key__c === key).length, 1);
    });

    it('assigns the Task to the rep when the rep is an active User', async () => {
      const repId = sandbox.records('User').find((u) => u.Username === REP_USER.username)?.Id;
      const integrationId = sandbox.records('User').find((u) => u.Username === INTEGRATION_USER.username)?.Id;
      const mine = await gateway.logTask(activity({ activityKey: 'email-sent:owned', ownerEmail: REP_USER.username }));
      assert.equal(sandbox.records('Task').find((t) => t.Id === mine.taskId)?.OwnerId, repId);
      const unknown = await gateway.logTask(activity({ activityKey: 'email-sent:unowned', ownerEmail: 'left@acme.test' }));
      assert.equal(sandbox.records('Task').find((t) => t.Id === unknown.taskId)?.OwnerId, integrationId);
    });

    it('logs a Task with no WhoId when nobody matches', async () => {
      const logged = await gateway.logTask(activity({ activityKey: 'email-sent:stranger', whoEmail: 'stranger@else.example' }));
      assert.equal(logged.whoId, null);
      assert.equal(sandbox.records('Task').find((t) => t.Id === logged.taskId)?.WhoId, null);
    });

    it('cuts an over-long subject to the field limit instead of failing', async () => {
      const logged = await gateway.logTask(activity({ activityKey: 'email-sent:long', subject: 'S'.repeat(400) }));
      const subject = String(sandbox.records('Task').find((t) => t.Id === logged.taskId)?.Subject);
      assert.equal(subject.length, 255);
      assert.ok(subject.endsWith('…'));
    });

    it('refuses an activity key that cannot travel in the URL, before calling Salesforce', async () => {
      const before = sandbox.requests.length;
      for (const activityKey of ['email-sent/1', 'reply:1.json', '', 'x'.repeat(256)]) {
        const err = await gateway.logTask(activity({ activityKey })).then(
          () => assert.fail('expected a rejection'),
          (e: unknown) => e,
        );
        assert.ok(err instanceof InvalidActivityError);
        assert.equal(mapSalesforceError(err).code, 'PERMANENT');
      }
      assert.equal(sandbox.requests.length, before);
    });
  });

  describe('metrics', () => {
    it('counts and times each REST call and reports the org API usage', async () => {
      const registry = new Registry();
      const counted = new SalesforceActivityGateway(cacheConnection(() => createJsforceConnection(credentials(sandbox))), registry);
      sandbox.seed('Contact', { LastName: 'Mira', Email: 'mira@buyer.example' });
      assert.equal((await counted.findWho('mira@buyer.example'))?.type, 'Contact');
      assert.equal(await counted.findWho('nobody@metrics.example'), null);
      const page = await registry.metrics();
      // One query for the Contact found, two (Contact, then Lead) for the address nobody has.
      assert.equal(sampleValue(page, 'telltale_salesforce_api_calls_total', { operation: 'query', outcome: 'ok' }), 3);
      assert.equal(sampleValue(page, 'telltale_salesforce_api_call_duration_seconds_count', { operation: 'query' }), 3);
      assert.equal(sampleValue(page, 'telltale_salesforce_api_usage', { kind: 'limit' }), 15000);
      assert.ok(sampleValue(page, 'telltale_salesforce_api_usage', { kind: 'used' })! > 0);
      assert.ok(!page.includes('mira@'), 'no addresses in labels');
    });
  });
});
