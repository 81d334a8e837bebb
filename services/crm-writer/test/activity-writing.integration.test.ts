import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '@telltale/db';
import { eventually } from '@telltale/testing';
import { CrmWriteScheduler } from '../src/activities/crm-write-scheduler';
import { CrmEvents, correction, emailSentTopic, hit, reply, replyDetectedTopic, sentEmail, trackingEngagementCorrectedTopic, trackingEngagementTopic } from './support/crm-events';
import { startCrmWriterUnderTest, type CrmWriterUnderTest } from './support/crm-writer-under-test';

/**
 * crm-writer writing activities to a local Salesforce org through its real wiring (Kafka in,
 * PostgreSQL queue, jsforce out), on a manual clock the test ticks. The org is reached through the
 * deprecated integration user, which every organisation falls back to when it has none of its own.
 */

const INTEGRATION = { username: 'integration@seller.example', password: 'integration-secret' };
const REP = { username: 'sam@seller.example', password: 'rep-secret' };
const WINDOW_MS = 2000;

interface ActivityState {
  activity_key: string;
  state: string;
  attempts: number;
  last_error_code: string | null;
  task_id: string | null;
}

describe('crm-writer: activities to Salesforce', () => {
  const clock = new ManualClock(new Date('2026-03-02T09:00:00Z'));
  let h: CrmWriterUnderTest;
  let events: CrmEvents;
  let scheduler: CrmWriteScheduler;
  let orgSeq = 0;
  /** Each test its own organisation (the shared integration user serves them all). */
  const newOrg = () => `00000000-0000-4000-8000-${String((orgSeq += 1)).padStart(12, '0')}`;

  before(async () => {
    h = await startCrmWriterUnderTest({
      label: 'crm-activities',
      clock,
      sandbox: { clock, users: [INTEGRATION, REP] },
      config: {
        SALESFORCE_USERNAME: INTEGRATION.username,
        SALESFORCE_PASSWORD: INTEGRATION.password,
        CRM_WRITE_TICK_MS: '0',
        CRM_WRITE_BATCH_WINDOW_MS: String(WINDOW_MS),
        CRM_ROLLUP_WINDOW_MS: '60000',
      },
    });
    events = await CrmEvents.connect(h.prefix);
    scheduler = h.service.app.get(CrmWriteScheduler);
  });
  after(async () => {
    await events?.stop();
    await h?.stop();
  });

  const activities = (orgId: string) =>
    h.sql<ActivityState>(`SELECT activity_key, state, attempts, last_error_code, task_id FROM crm_writer.crm_activity WHERE org_id = $1 ORDER BY activity_key`, [orgId]);
  const received = (orgId: string, n: number) =>
    eventually(`${n} activities of ${orgId} received`, async () => ((await activities(orgId)).length === n ? true : undefined), { timeoutMs: 20_000, intervalMs: 50 });
  /** Past the batch window, then one scheduler pass. */
  const flush = async (ms = WINDOW_MS + 1) => {
    clock.advance(ms);
    await scheduler.tick();
  };
  const calls = () => h.sandbox.requests.filter((r) => r.path.startsWith('/services/data/v')).length;
  const tasksWithKey = (key: string) => h.sandbox.records('Task').filter((t) => String(t.Telltale_Activity_Key__c).toLowerCase() === key.toLowerCase());

  it('writes a batch of sent emails and replies with one Task upsert, on the matched Contact, its Account and the rep', async () => {
    const orgId = newOrg();
    const accountId = h.sandbox.seed('Account', { Name: 'Buyer Inc' });
    const contacts = Array.from({ length: 30 }, (_, i) => h.sandbox.seed('Contact', { LastName: `Buyer ${i}`, Email: `buyer${i}@buyer.example`, AccountId: accountId }));
    const sends = contacts.map((_, i) => sentEmail(orgId, { to: [{ address: `Buyer${i}@Buyer.example`, name: null }], sequenceId: '7d1c1f7e-1f0e-4b8e-9c59-3f1a8b0e9a11', stepNumber: 1 }));
    const replies = sends.slice(0, 10).map((s) => reply(s));
    await events.publishMany(emailSentTopic, sends, orgId);
    await events.publishMany(replyDetectedTopic, replies, orgId);
    await received(orgId, 40);
    const before = calls();
    await flush();
    assert.ok((await activities(orgId)).every((a) => a.state === 'written'));
    // Contact query, User query for the rep, one upsert; no Lead query (everyone is a Contact).
    assert.equal(calls() - before, 3);

    const [task] = tasksWithKey(`email-sent:${sends[3]?.sentEmailId}`);
    assert.equal(task?.WhoId, contacts[3]);
    assert.equal(task?.WhatId, accountId);
    assert.equal(task?.OwnerId, h.sandbox.records('User').find((u) => u.Username === REP.username)?.Id);
    assert.equal(task?.TaskSubtype, 'Email');
    assert.equal(task?.Telltale_Direction__c, 'Outbound');
    assert.equal(task?.Telltale_Message_Id__c, sends[3]?.messageId);
    assert.equal(task?.Telltale_Step__c, 1);
    const [replyTask] = tasksWithKey(`reply:${replies[3]?.replyId}`);
    assert.equal(replyTask?.Telltale_Direction__c, 'Inbound');
    assert.equal(replyTask?.Telltale_Reply_Relation__c, 'prospect');
    assert.equal(replyTask?.Telltale_Step__c, 1);
    assert.equal(replyTask?.OwnerId, task?.OwnerId, 'the reply belongs to the rep too');
    assert.match(String(replyTask?.Description), /Sounds good/);
  });

  it('writes one Task for an event delivered twice, and finds the Task a lost attempt already wrote', async () => {
    const orgId = newOrg();
    h.sandbox.seed('Contact', { LastName: 'Twice', Email: 'twice@buyer.example' });
    const once = sentEmail(orgId, { to: [{ address: 'twice@buyer.example', name: null }] });
    const eventId = await events.publish(emailSentTopic, once, orgId);
    await events.publish(emailSentTopic, once, orgId, eventId);
    await events.publish(emailSentTopic, once, orgId);
    const lost = sentEmail(orgId, { to: [{ address: 'twice@buyer.example', name: null }] });
    // A replica wrote this Task, then died before recording it.
    h.sandbox.seed('Task', { Telltale_Activity_Key__c: `email-sent:${lost.sentEmailId}`, Subject: 'Email: written before', TaskSubtype: 'Email' });
    await events.publish(emailSentTopic, lost, orgId);
    await received(orgId, 2);
    await flush();
    assert.deepEqual((await activities(orgId)).map((a) => a.state), ['written', 'written']);
    assert.equal(tasksWithKey(`email-sent:${once.sentEmailId}`).length, 1);
    const found = tasksWithKey(`email-sent:${lost.sentEmailId}`);
    assert.equal(found.length, 1);
    assert.equal(found[0]?.Subject, 'Email: written before', 'the existing Task is left as it is');
    assert.equal((await activities(orgId)).find((a) => a.activity_key === `email-sent:${lost.sentEmailId}`)?.task_id, found[0]?.Id);
  });

  it('rolls human opens and clicks up on the Task in one update per window, never machine hits, and takes corrections back out', async () => {
    const orgId = newOrg();
    h.sandbox.seed('Contact', { LastName: 'Engaged', Email: 'engaged@buyer.example' });
    const sent = sentEmail(orgId, { to: [{ address: 'engaged@buyer.example', name: null }] });
    await events.publish(emailSentTopic, sent, orgId);
    await received(orgId, 1);
    await flush();
    const opens = [hit(sent, 'opened', 'human', '2026-03-02T09:10:00.000Z'), hit(sent, 'opened', 'human', '2026-03-02T09:20:00.000Z'), hit(sent, 'opened', 'mail_proxy')];
    const clicks = [hit(sent, 'clicked', 'human', '2026-03-02T09:25:00.000Z'), hit(sent, 'clicked', 'human', '2026-03-02T09:40:00.000Z')];
    await events.publishMany(trackingEngagementTopic, [...opens, ...clicks, opens[0] as (typeof opens)[0]], orgId);
    await events.publish(trackingEngagementCorrectedTopic, correction(clicks[1] as (typeof clicks)[1]), orgId);
    await eventually('hits counted', async () => {
      const [r] = await h.sql<{ human_opens: number; human_clicks: number; version: string }>(`SELECT human_opens, human_clicks, version::text FROM crm_writer.task_rollup WHERE sent_email_id = $1`, [sent.sentEmailId]);
      return r && r.human_opens === 2 && r.human_clicks === 1 && r.version === '5' ? r : undefined;
    }, { timeoutMs: 20_000, intervalMs: 50 });

    const before = calls();
    await flush(); // inside the roll-up window: nothing yet
    assert.equal(calls(), before);
    await flush(60_000);
    assert.equal(calls() - before, 1, 'one update for every hit');
    const [task] = tasksWithKey(`email-sent:${sent.sentEmailId}`);
    assert.equal(task?.Telltale_Opens__c, 2);
    assert.equal(task?.Telltale_Clicks__c, 1);
    assert.equal(task?.Telltale_Last_Engaged__c, '2026-03-02T09:25:00.000+0000', 'the corrected click is not the last engagement');
  });

  it('retries a locked row later on its own, dead-letters a refused value with its reason, and replays it once fixed', async () => {
    const orgId = newOrg();
    h.sandbox.seed('Contact', { LastName: 'Locked', Email: 'locked@buyer.example' });
    const sends = [0, 1, 2].map(() => sentEmail(orgId, { to: [{ address: 'locked@buyer.example', name: null }] }));
    await events.publishMany(emailSentTopic, sends, orgId);
    await received(orgId, 3);
    h.sandbox.failRowLocks(1, 'Task');
    await flush();
    const states = await activities(orgId);
    assert.deepEqual(states.map((s) => s.state).sort(), ['pending', 'written', 'written']);
    assert.equal(states.find((s) => s.state === 'pending')?.last_error_code, 'UNABLE_TO_LOCK_ROW');
    await flush(30_000 + WINDOW_MS);
    assert.ok((await activities(orgId)).every((a) => a.state === 'written'));

    h.sandbox.setFieldAccess('Task', 'Telltale_Direction__c', 'read', INTEGRATION.username);
    try {
      const refused = sentEmail(orgId, { to: [{ address: 'locked@buyer.example', name: null }] });
      await events.publish(emailSentTopic, refused, orgId);
      await received(orgId, 4);
      await flush();
      const dead = (await activities(orgId)).find((a) => a.activity_key === `email-sent:${refused.sentEmailId}`);
      assert.equal(dead?.state, 'dead');
      assert.equal(dead?.last_error_code, 'INVALID_FIELD_FOR_INSERT_UPDATE');
      const explained = (await (await h.api(`/v1/salesforce/activities?sentEmailId=${refused.sentEmailId}`, { orgId })).json()) as { activities: Array<{ state: string; lastError: { message: string } }> };
      assert.equal(explained.activities[0]?.state, 'dead');
      assert.match(explained.activities[0]?.lastError.message ?? '', /Telltale_Direction__c/);
    } finally {
      h.sandbox.setFieldAccess('Task', 'Telltale_Direction__c', 'edit', INTEGRATION.username);
    }
    const replay = await h.api('/v1/salesforce/activities/replay', { method: 'POST', orgId });
    assert.equal(replay.status, 202);
    await flush();
    assert.ok((await activities(orgId)).every((a) => a.state === 'written'));
  });

  it('waits through a Salesforce outage with backoff instead of dead-lettering', async () => {
    const orgId = newOrg();
    h.sandbox.seed('Contact', { LastName: 'Outage', Email: 'outage@buyer.example' });
    const sent = sentEmail(orgId, { to: [{ address: 'outage@buyer.example', name: null }] });
    await events.publish(emailSentTopic, sent, orgId);
    await received(orgId, 1);
    h.sandbox.intercept({ pathIncludes: '/services/data/', status: 503, body: [{ errorCode: 'SERVER_UNAVAILABLE', message: 'down for maintenance' }], times: 3 });
    for (let i = 0; i < 3; i += 1) {
      await flush(60 * 60 * 1000);
      const [a] = await activities(orgId);
      assert.equal(a?.state, 'pending');
      assert.equal(a?.attempts, i + 1);
    }
    await flush(60 * 60 * 1000);
    assert.equal((await activities(orgId))[0]?.state, 'written');
    assert.equal(tasksWithKey(`email-sent:${sent.sentEmailId}`).length, 1);
  });

  it('lets activities wait while the daily API allowance is spent, then lands each once when it frees up', async () => {
    const orgId = newOrg();
    h.sandbox.seed('Contact', { LastName: 'Budget', Email: 'budget@buyer.example' });
    const sends = Array.from({ length: 5 }, () => sentEmail(orgId, { to: [{ address: 'budget@buyer.example', name: null }] }));
    await events.publishMany(emailSentTopic, sends, orgId);
    await received(orgId, 5);
    const { used } = h.sandbox.apiUsage();
    h.sandbox.setDailyApiAllocation(used + 1000);
    h.sandbox.spendApiCalls(1000);
    try {
      await flush();
      assert.ok((await activities(orgId)).every((a) => a.state === 'pending' && a.last_error_code === 'RATE_LIMITED'));
      const refusedSoFar = calls();
      await flush(30 * 60 * 1000); // paused: not even a try
      assert.equal(calls(), refusedSoFar);
      await flush(60 * 60 * 1000); // tries again: still spent
      assert.ok((await activities(orgId)).every((a) => a.state === 'pending'));
      await flush(24 * 60 * 60 * 1000);
      assert.ok((await activities(orgId)).every((a) => a.state === 'written'));
      for (const s of sends) assert.equal(tasksWithKey(`email-sent:${s.sentEmailId}`).length, 1);
    } finally {
      h.sandbox.setDailyApiAllocation(1_000_000);
    }
  });
});
