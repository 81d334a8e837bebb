import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sharedLocalIdentity, type StartedService } from '@telltale/runtime';
import { CrmWriterConfig, startCrmWriter } from '../src';
import { CrmWriteScheduler } from '../src/activities/crm-write-scheduler';
import type { ActivityExplanation } from '../src/activities/activity-explanation.controller';
import { emailSentTopic, reply, replyDetectedTopic, sentEmail } from './support/crm-events';
import { env } from './support/crm-writer-under-test';
import { INTEGRATION, startActivityWriter, WINDOW_MS, type ActivityWriterFixture } from './support/activity-writer-fixture';

/** Matching in the published order, each decision explained over the API; two replicas racing. */
describe('crm-writer: matching and its explanation', () => {
  let f: ActivityWriterFixture;
  before(async () => {
    f = await startActivityWriter('crm-matching');
  });
  after(() => f?.stop());

  const explain = async (orgId: string, sentEmailId: string, caller?: { roles?: Array<'admin' | 'manager' | 'rep'>; email?: string }) =>
    f.h.api(`/v1/salesforce/activities?sentEmailId=${sentEmailId}`, { orgId, ...(caller ? { caller } : {}) });
  const explained = async (orgId: string, sentEmailId: string) => {
    const res = await explain(orgId, sentEmailId);
    assert.equal(res.status, 200);
    return ((await res.json()) as { activities: ActivityExplanation[] }).activities;
  };
  const setSettings = async (orgId: string, body: unknown) => {
    const res = await f.h.api('/v1/salesforce/settings', { method: 'PATCH', orgId, body: JSON.stringify(body) });
    assert.equal(res.status, 200, await res.clone().text());
  };
  const sendTo = async (orgId: string, address: string, over: Parameters<typeof sentEmail>[1] = {}) => {
    const sent = sentEmail(orgId, { to: [{ address, name: 'Pat Prospect' }], ...over });
    await f.events.publish(emailSentTopic, sent, orgId);
    return sent;
  };

  it('picks the most recently modified of several Contacts, relates the Task to its Account, and says so', async () => {
    const orgId = f.newOrg();
    const account = f.h.sandbox.seed('Account', { Name: 'Twin Co' });
    f.h.sandbox.seed('Contact', { LastName: 'Older', Email: 'twin@twin.example', AccountId: account });
    f.clock.advance(60_000);
    const newer = f.h.sandbox.seed('Contact', { LastName: 'Newer', Email: 'twin@twin.example', AccountId: account });
    const sent = await sendTo(orgId, 'twin@twin.example');
    await f.received(orgId, 1);
    await f.flush();
    const [activity] = await explained(orgId, sent.sentEmailId);
    assert.equal(activity?.state, 'written');
    assert.deepEqual(activity?.match?.who, { id: newer, type: 'Contact', email: 'twin@twin.example' });
    assert.deepEqual(activity?.match?.what, { id: account, type: 'Account' });
    assert.match(activity?.match?.reasons[0] ?? '', /2 Contacts have the email twin@twin\.example; chose .* the most recently modified/);
    assert.equal(f.tasksWithKey(`email-sent:${sent.sentEmailId}`)[0]?.WhoId, newer);
  });

  it('falls back to an unconverted Lead (never a converted one), with no WhatId', async () => {
    const orgId = f.newOrg();
    f.h.sandbox.seed('Lead', { LastName: 'Gone', Company: 'Old', Email: 'lead@prospect.example', IsConverted: true });
    const lead = f.h.sandbox.seed('Lead', { LastName: 'Open', Company: 'Prospect', Email: 'lead@prospect.example' });
    const sent = await sendTo(orgId, 'lead@prospect.example');
    await f.received(orgId, 1);
    await f.flush();
    const [activity] = await explained(orgId, sent.sentEmailId);
    assert.deepEqual(activity?.match?.who, { id: lead, type: 'Lead', email: 'lead@prospect.example' });
    assert.equal(activity?.match?.what, null);
    const [task] = f.tasksWithKey(`email-sent:${sent.sentEmailId}`);
    assert.equal(task?.WhoId, lead);
    assert.equal(task?.WhatId, null);
  });

  it('logs a reply on the replier when Salesforce knows them, else on the prospect emailed', async () => {
    const orgId = f.newOrg();
    const flynn = f.h.sandbox.seed('Contact', { LastName: 'Flynn', Email: 'flynn@acme.example' });
    const alan = f.h.sandbox.seed('Contact', { LastName: 'Alan', Email: 'alan@acme.example' });
    const sent = await sendTo(orgId, 'flynn@acme.example');
    const fromAlan = reply(sent, { from: { address: 'alan@acme.example', name: 'Alan' }, relation: 'colleague' });
    const fromStranger = reply(sent, { from: { address: 'stranger@acme.example', name: null }, relation: 'colleague' });
    await f.events.publish(replyDetectedTopic, fromAlan, orgId);
    await f.events.publish(replyDetectedTopic, fromStranger, orgId);
    await f.received(orgId, 3);
    await f.flush();
    assert.equal(f.tasksWithKey(`reply:${fromAlan.replyId}`)[0]?.WhoId, alan);
    assert.equal(f.tasksWithKey(`reply:${fromStranger.replyId}`)[0]?.WhoId, flynn);
    const stranger = (await explained(orgId, sent.sentEmailId)).find((a) => a.activityKey === `reply:${fromStranger.replyId}`);
    assert.match(stranger?.match?.reasons.join(' ') ?? '', /No Contact and no unconverted Lead has the email stranger@acme\.example\. Contact .* has the email flynn@acme\.example/);
  });

  it('parks an activity nobody matches, explains why, and writes it once the Contact exists (on demand, and every hour)', async () => {
    const orgId = f.newOrg();
    const sent = await sendTo(orgId, 'later@newco.example');
    const other = await sendTo(orgId, 'hourly@newco.example');
    await f.received(orgId, 2);
    await f.flush();
    const [parked] = await explained(orgId, sent.sentEmailId);
    assert.equal(parked?.state, 'unmatched');
    assert.equal(parked?.match?.outcome, 'unmatched');
    assert.match(parked?.match?.reasons.join(' ') ?? '', /No Contact and no unconverted Lead has the email later@newco\.example.*parks unmatched activities/);
    assert.equal(f.tasksWithKey(`email-sent:${sent.sentEmailId}`).length, 0);

    const contact = f.h.sandbox.seed('Contact', { LastName: 'Later', Email: 'later@newco.example' });
    const rematch = await f.h.api('/v1/salesforce/activities/rematch', { method: 'POST', orgId });
    assert.equal(rematch.status, 202);
    assert.deepEqual(await rematch.json(), { rematching: 2 });
    await f.flush(1);
    assert.equal(f.tasksWithKey(`email-sent:${sent.sentEmailId}`)[0]?.WhoId, contact);
    assert.equal((await explained(orgId, other.sentEmailId))[0]?.state, 'unmatched');

    const lead = f.h.sandbox.seed('Lead', { LastName: 'Hourly', Company: 'NewCo', Email: 'hourly@newco.example' });
    await f.flush(60 * 60 * 1000 + WINDOW_MS);
    assert.equal(f.tasksWithKey(`email-sent:${other.sentEmailId}`)[0]?.WhoId, lead);
  });

  it('creates a Lead for an unknown person when the organisation asks for it, once', async () => {
    const orgId = f.newOrg();
    await setSettings(orgId, { unmatchedPolicy: 'create_lead' });
    const first = await sendTo(orgId, 'pat@fresh.example');
    await f.received(orgId, 1);
    await f.flush();
    const leads = f.h.sandbox.records('Lead').filter((l) => l.Email === 'pat@fresh.example');
    assert.equal(leads.length, 1);
    assert.equal(leads[0]?.LastName, 'Prospect');
    assert.equal(leads[0]?.Company, 'fresh');
    const second = await sendTo(orgId, 'pat@fresh.example');
    await f.received(orgId, 2);
    await f.flush();
    assert.equal(f.h.sandbox.records('Lead').filter((l) => l.Email === 'pat@fresh.example').length, 1);
    assert.equal(f.tasksWithKey(`email-sent:${first.sentEmailId}`)[0]?.WhoId, leads[0]?.Id);
    assert.equal(f.tasksWithKey(`email-sent:${second.sentEmailId}`)[0]?.WhoId, leads[0]?.Id);
    assert.match((await explained(orgId, first.sentEmailId))[0]?.match?.reasons.join(' ') ?? '', /Created Lead/);
  });

  it('relates the Task to the most recently modified open Opportunity when the organisation asks for it', async () => {
    const orgId = f.newOrg();
    await setSettings(orgId, { linkOpenOpportunity: true });
    const account = f.h.sandbox.seed('Account', { Name: 'Deal Co' });
    f.h.sandbox.seed('Contact', { LastName: 'Deal', Email: 'deal@deal.example', AccountId: account });
    f.h.sandbox.seed('Opportunity', { Name: 'Old', AccountId: account, StageName: 'Prospecting', CloseDate: '2026-06-01' });
    f.clock.advance(1000);
    const open = f.h.sandbox.seed('Opportunity', { Name: 'Current', AccountId: account, StageName: 'Qualification', CloseDate: '2026-06-01' });
    f.clock.advance(1000);
    f.h.sandbox.seed('Opportunity', { Name: 'Won', AccountId: account, StageName: 'Closed Won', CloseDate: '2026-01-01' });
    const sent = await sendTo(orgId, 'deal@deal.example');
    await f.received(orgId, 1);
    await f.flush();
    assert.equal(f.tasksWithKey(`email-sent:${sent.sentEmailId}`)[0]?.WhatId, open);
    assert.deepEqual((await explained(orgId, sent.sentEmailId))[0]?.match?.what, { id: open, type: 'Opportunity' });
  });

  it('says so when the rep has no Salesforce User', async () => {
    const orgId = f.newOrg();
    f.h.sandbox.seed('Contact', { LastName: 'Owned', Email: 'owned@acme.example' });
    const sent = await sendTo(orgId, 'owned@acme.example', { from: { address: 'newhire@seller.example', name: 'New Hire' } });
    await f.received(orgId, 1);
    await f.flush();
    const [activity] = await explained(orgId, sent.sentEmailId);
    assert.equal(activity?.match?.owner, null);
    assert.match(activity?.match?.reasons.join(' ') ?? '', /no active Salesforce User has the rep's email newhire@seller\.example/);
    const integrationUser = f.h.sandbox.records('User').find((u) => u.Username === INTEGRATION.username);
    assert.equal(f.tasksWithKey(`email-sent:${sent.sentEmailId}`)[0]?.OwnerId, integrationUser?.Id);
  });

  it('answers only inside the organisation, and a rep only for their own emails', async () => {
    const orgId = f.newOrg();
    f.h.sandbox.seed('Contact', { LastName: 'Mine', Email: 'mine@acme.example' });
    const sent = await sendTo(orgId, 'mine@acme.example');
    await f.received(orgId, 1);
    await f.flush();
    assert.equal((await explain(f.newOrg(), sent.sentEmailId)).status, 404);
    assert.equal((await explain(orgId, sent.sentEmailId, { roles: ['rep'], email: 'someone.else@seller.example' })).status, 404);
    assert.equal((await explain(orgId, sent.sentEmailId, { roles: ['rep'], email: 'Sam@Seller.example' })).status, 200);
    const bad = await f.h.api('/v1/salesforce/activities?sentEmailId=nope', { orgId });
    assert.equal(bad.status, 400);
    const asRep = await f.h.api('/v1/salesforce/settings', { method: 'PATCH', orgId, caller: { roles: ['rep'] }, body: JSON.stringify({ apiShare: 0.9 }) });
    assert.equal(asRep.status, 403);
    const invalid = await f.h.api('/v1/salesforce/settings', { method: 'PATCH', orgId, body: JSON.stringify({ apiShare: 2 }) });
    assert.equal(invalid.status, 400);
    const settings = await f.h.api('/v1/salesforce/settings', { orgId, caller: { roles: ['rep'] } });
    assert.deepEqual(await settings.json(), { unmatchedPolicy: 'park', linkOpenOpportunity: false, apiShare: 0.5 });
  });

  it('leaves one Task per activity when two replicas race over the same queue', async () => {
    const identity = await sharedLocalIdentity();
    const replica: StartedService = await startCrmWriter(
      CrmWriterConfig.parse({
        DATABASE_URL: f.h.databaseUrl,
        KAFKA_BROKERS: env('KAFKA_BROKERS'),
        KAFKA_TOPIC_PREFIX: f.h.prefix,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        ...identity.env(),
        CREDENTIALS_ENCRYPTION_KEYS: f.h.encryptionKeys,
        SALESFORCE_CLIENT_ID: f.h.sandbox.clientId,
        SALESFORCE_CLIENT_SECRET: f.h.sandbox.clientSecret,
        SALESFORCE_LOGIN_URL: f.h.sandbox.url,
        SALESFORCE_USERNAME: INTEGRATION.username,
        SALESFORCE_PASSWORD: INTEGRATION.password,
        CRM_WRITE_TICK_MS: '0',
        CRM_WRITE_BATCH_WINDOW_MS: String(WINDOW_MS),
        RUN_MIGRATIONS: 'false',
      }),
      { clock: f.clock },
    );
    try {
      const orgId = f.newOrg();
      f.h.sandbox.seed('Contact', { LastName: 'Raced', Email: 'raced@acme.example' });
      const sends = Array.from({ length: 60 }, () => sentEmail(orgId, { to: [{ address: 'raced@acme.example', name: null }] }));
      await f.events.publishMany(emailSentTopic, sends, orgId);
      await f.events.publishMany(emailSentTopic, sends, orgId); // and every one again
      await f.received(orgId, 60);
      f.clock.advance(WINDOW_MS + 1);
      await Promise.all([f.scheduler.tick(), replica.app.get(CrmWriteScheduler).tick()]);
      assert.ok((await f.activities(orgId)).every((a) => a.state === 'written'));
      for (const s of sends) assert.equal(f.tasksWithKey(`email-sent:${s.sentEmailId}`).length, 1);
      const logged = await f.h.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM crm_writer.outbox WHERE topic LIKE '%crm.activity-logged.v1' AND payload->>'activityKey' = ANY($1)`,
        [sends.map((s) => `email-sent:${s.sentEmailId}`)],
      );
      assert.equal(logged[0]?.n, 60, 'one crm.activity-logged per activity');
    } finally {
      await replica.stop();
    }
  });
});
