import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { emailBouncedTopic } from '@telltale/contracts';
import { eventually } from '@telltale/testing';
import { correction, emailSentTopic, hit, reply, replyDetectedTopic, sentEmail, trackingEngagementCorrectedTopic, trackingEngagementTopic } from './support/crm-events';
import { replayDeadLetters } from '../src/replay-dead-letters';
import { INTEGRATION, REP, startActivityWriter, WINDOW_MS, type ActivityWriterFixture } from './support/activity-writer-fixture';

/** Writing activities: batching, exactly once, roll-ups, per-record errors, outages and the daily allowance. */
describe('crm-writer: activities to Salesforce', () => {
  let f: ActivityWriterFixture;
  before(async () => {
    f = await startActivityWriter('crm-activities');
  });
  after(() => f?.stop());

  const activities = (orgId: string) => f.activities(orgId);
  const received = (orgId: string, n: number) => f.received(orgId, n);
  const flush = (ms?: number) => f.flush(ms);
  const calls = () => f.calls();
  const tasksWithKey = (key: string) => f.tasksWithKey(key);
  const newOrg = () => f.newOrg();

  it('writes a batch of sent emails and replies with one Task upsert, on the matched Contact, its Account and the rep', async () => {
    const orgId = newOrg();
    const accountId = f.h.sandbox.seed('Account', { Name: 'Buyer Inc' });
    const contacts = Array.from({ length: 30 }, (_, i) => f.h.sandbox.seed('Contact', { LastName: `Buyer ${i}`, Email: `buyer${i}@buyer.example`, AccountId: accountId }));
    const sends = contacts.map((_, i) => sentEmail(orgId, { to: [{ address: `Buyer${i}@Buyer.example`, name: null }], sequenceId: '7d1c1f7e-1f0e-4b8e-9c59-3f1a8b0e9a11', stepNumber: 1 }));
    const replies = sends.slice(0, 10).map((s) => reply(s));
    await f.events.publishMany(emailSentTopic, sends, orgId);
    await f.events.publishMany(replyDetectedTopic, replies, orgId);
    await received(orgId, 40);
    const before = calls();
    await flush();
    assert.ok((await activities(orgId)).every((a) => a.state === 'written'));
    // The Contact, Lead and rep User queries in one Composite call, then one upsert.
    assert.equal(calls() - before, 2);

    const [task] = tasksWithKey(`email-sent:${sends[3]?.sentEmailId}`);
    assert.equal(task?.WhoId, contacts[3]);
    assert.equal(task?.WhatId, accountId);
    assert.equal(task?.OwnerId, f.h.sandbox.records('User').find((u) => u.Username === REP.username)?.Id);
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
    f.h.sandbox.seed('Contact', { LastName: 'Twice', Email: 'twice@buyer.example' });
    const once = sentEmail(orgId, { to: [{ address: 'twice@buyer.example', name: null }] });
    const eventId = await f.events.publish(emailSentTopic, once, orgId);
    await f.events.publish(emailSentTopic, once, orgId, eventId);
    await f.events.publish(emailSentTopic, once, orgId);
    const lost = sentEmail(orgId, { to: [{ address: 'twice@buyer.example', name: null }] });
    // A replica wrote this Task, then died before recording it.
    f.h.sandbox.seed('Task', { Telltale_Activity_Key__c: `email-sent:${lost.sentEmailId}`, Subject: 'Email: written before', TaskSubtype: 'Email' });
    await f.events.publish(emailSentTopic, lost, orgId);
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
    f.h.sandbox.seed('Contact', { LastName: 'Engaged', Email: 'engaged@buyer.example' });
    const sent = sentEmail(orgId, { to: [{ address: 'engaged@buyer.example', name: null }] });
    await f.events.publish(emailSentTopic, sent, orgId);
    await received(orgId, 1);
    await flush();
    const opens = [hit(sent, 'opened', 'human', '2026-03-02T09:10:00.000Z'), hit(sent, 'opened', 'human', '2026-03-02T09:20:00.000Z'), hit(sent, 'opened', 'mail_proxy')];
    const clicks = [hit(sent, 'clicked', 'human', '2026-03-02T09:25:00.000Z'), hit(sent, 'clicked', 'human', '2026-03-02T09:40:00.000Z')];
    await f.events.publishMany(trackingEngagementTopic, [...opens, ...clicks, opens[0] as (typeof opens)[0]], orgId);
    await f.events.publish(trackingEngagementCorrectedTopic, correction(clicks[1] as (typeof clicks)[1]), orgId);
    await eventually('hits counted', async () => {
      const [r] = await f.h.sql<{ human_opens: number; human_clicks: number; version: string }>(`SELECT human_opens, human_clicks, version::text FROM crm_writer.task_rollup WHERE sent_email_id = $1`, [sent.sentEmailId]);
      return r && r.human_opens === 2 && r.human_clicks === 1 && r.version === '5' ? r : undefined;
    }, { timeoutMs: 60_000, intervalMs: 50 });

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

  it('writes out-of-office and bounces as fields on the sent email\'s Task, not as Tasks', async () => {
    const orgId = newOrg();
    f.h.sandbox.seed('Contact', { LastName: 'Away', Email: 'away@buyer.example' });
    const sent = sentEmail(orgId, { to: [{ address: 'away@buyer.example', name: null }] });
    await f.events.publish(emailSentTopic, sent, orgId);
    await received(orgId, 1);
    await flush();
    await f.events.publish(replyDetectedTopic, reply(sent, { kind: 'auto_reply', returnDate: '2026-03-20', snippet: null }), orgId);
    await f.events.publish(
      emailBouncedTopic,
      { bounceId: randomUUID(), orgId, mailboxId: sent.mailboxId, sentEmailId: sent.sentEmailId, enrollmentId: null, recipient: 'away@buyer.example', severity: 'soft', statusCode: '4.2.2', diagnostic: 'mailbox full', detectedAt: '2026-03-02T09:05:00.000Z' },
      orgId,
    );
    await eventually('out-of-office and bounce recorded', async () => {
      const [r] = await f.h.sql<{ version: string }>(`SELECT version::text FROM crm_writer.task_rollup WHERE sent_email_id = $1`, [sent.sentEmailId]);
      return r?.version === '2' ? r : undefined;
    }, { timeoutMs: 60_000, intervalMs: 50 });
    await flush(60_000);
    assert.equal((await activities(orgId)).length, 1, 'no activity of their own');
    const tasks = f.h.sandbox.records('Task').filter((t) => t.WhoId === f.h.sandbox.records('Contact').find((c) => c.Email === 'away@buyer.example')?.Id);
    assert.equal(tasks.length, 1);
    assert.equal(tasks[0]?.Telltale_Out_Of_Office__c, true);
    assert.equal(tasks[0]?.Telltale_Out_Of_Office_Until__c, '2026-03-20');
    assert.equal(tasks[0]?.Telltale_Bounced__c, true);
    assert.equal(tasks[0]?.Telltale_Bounce_Detail__c, 'soft bounce: 4.2.2: away@buyer.example: mailbox full');
  });

  it('retries a locked row later on its own, dead-letters a refused value with its reason, and replays it once fixed', async () => {
    const orgId = newOrg();
    f.h.sandbox.seed('Contact', { LastName: 'Locked', Email: 'locked@buyer.example' });
    const sends = [0, 1, 2].map(() => sentEmail(orgId, { to: [{ address: 'locked@buyer.example', name: null }] }));
    await f.events.publishMany(emailSentTopic, sends, orgId);
    await received(orgId, 3);
    f.h.sandbox.failRowLocks(1, 'Task');
    await flush();
    const states = await activities(orgId);
    assert.deepEqual(states.map((s) => s.state).sort(), ['pending', 'written', 'written']);
    assert.equal(states.find((s) => s.state === 'pending')?.last_error_code, 'UNABLE_TO_LOCK_ROW');
    await flush(30_000 + WINDOW_MS);
    assert.ok((await activities(orgId)).every((a) => a.state === 'written'));

    f.h.sandbox.setFieldAccess('Task', 'Telltale_Direction__c', 'read', INTEGRATION.username);
    const refused = [0, 1].map(() => sentEmail(orgId, { to: [{ address: 'locked@buyer.example', name: null }] }));
    const keys = refused.map((r) => `email-sent:${r.sentEmailId}`);
    try {
      await f.events.publishMany(emailSentTopic, refused, orgId);
      await received(orgId, 5);
      await flush();
      const dead = (await activities(orgId)).filter((a) => keys.includes(a.activity_key));
      assert.deepEqual(dead.map((d) => [d.state, d.last_error_code]), [['dead', 'INVALID_FIELD_FOR_INSERT_UPDATE'], ['dead', 'INVALID_FIELD_FOR_INSERT_UPDATE']]);
      const explained = (await (await f.h.api(`/v1/salesforce/activities?sentEmailId=${refused[0]?.sentEmailId}`, { orgId })).json()) as { activities: Array<{ state: string; lastError: { message: string } }> };
      assert.equal(explained.activities[0]?.state, 'dead');
      assert.match(explained.activities[0]?.lastError.message ?? '', /Telltale_Direction__c/);
    } finally {
      f.h.sandbox.setFieldAccess('Task', 'Telltale_Direction__c', 'edit', INTEGRATION.username);
    }
    // The operator's command, for one activity …
    assert.deepEqual(await replayDeadLetters(f.h.databaseUrl, { keys: [keys[0] as string] }, new Date(f.clock.now().getTime() - WINDOW_MS)), [keys[0]]);
    await flush(1);
    const afterOne = new Map((await activities(orgId)).map((a) => [a.activity_key, a.state]));
    assert.equal(afterOne.get(keys[0] as string), 'written');
    assert.equal(afterOne.get(keys[1] as string), 'dead');
    // … and an admin over the API, for the rest of the organisation's.
    const replay = await f.h.api('/v1/salesforce/activities/replay', { method: 'POST', orgId });
    assert.equal(replay.status, 202);
    assert.deepEqual(await replay.json(), { replayed: [keys[1]] });
    await flush(1);
    assert.ok((await activities(orgId)).every((a) => a.state === 'written'));
    for (const key of keys) assert.equal(tasksWithKey(key).length, 1);
  });

  it('waits through a Salesforce outage with backoff instead of dead-lettering', async () => {
    const orgId = newOrg();
    f.h.sandbox.seed('Contact', { LastName: 'Outage', Email: 'outage@buyer.example' });
    const sent = sentEmail(orgId, { to: [{ address: 'outage@buyer.example', name: null }] });
    await f.events.publish(emailSentTopic, sent, orgId);
    await received(orgId, 1);
    f.h.sandbox.intercept({ pathIncludes: '/services/data/', status: 503, body: [{ errorCode: 'SERVER_UNAVAILABLE', message: 'down for maintenance' }], times: 3 });
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

  it("keeps its own calls under the organisation's share of the daily allocation, and waits once the share is spent", async () => {
    const orgId = newOrg();
    f.h.sandbox.seed('Contact', { LastName: 'Share', Email: 'share@buyer.example' });
    const limit = f.h.sandbox.apiUsage().used + 1000;
    f.h.sandbox.setDailyApiAllocation(limit);
    try {
      // Our share: 9 calls a day; a batch may need up to 8, and the first took 2 (Salesforce's usage was not known before it).
      const settings = await f.h.api('/v1/salesforce/settings', { method: 'PATCH', orgId, body: JSON.stringify({ apiShare: 9.5 / limit }) });
      assert.equal(settings.status, 200);
      const first = sentEmail(orgId, { to: [{ address: 'share@buyer.example', name: null }] });
      await f.events.publish(emailSentTopic, first, orgId);
      await received(orgId, 1);
      await flush();
      const second = sentEmail(orgId, { to: [{ address: 'share@buyer.example', name: null }] });
      await f.events.publish(emailSentTopic, second, orgId);
      await received(orgId, 2);
      const before = calls();
      await flush();
      await flush(20 * 60 * 1000);
      assert.equal(calls(), before, 'no call once our share is spent');
      const waiting = (await activities(orgId)).find((a) => a.activity_key === `email-sent:${second.sentEmailId}`);
      assert.equal(waiting?.state, 'pending');
      assert.equal(waiting?.last_error_code, 'API_BUDGET');
      await flush(24 * 60 * 60 * 1000);
      assert.ok((await activities(orgId)).every((a) => a.state === 'written'));
      assert.equal(tasksWithKey(`email-sent:${second.sentEmailId}`).length, 1);
    } finally {
      f.h.sandbox.setDailyApiAllocation(1_000_000);
    }
  });

  it('lets activities wait while the daily API allowance is spent, then lands each once when it frees up', async () => {
    const orgId = newOrg();
    f.h.sandbox.seed('Contact', { LastName: 'Budget', Email: 'budget@buyer.example' });
    const sends = Array.from({ length: 5 }, () => sentEmail(orgId, { to: [{ address: 'budget@buyer.example', name: null }] }));
    await f.events.publishMany(emailSentTopic, sends, orgId);
    await received(orgId, 5);
    const { used } = f.h.sandbox.apiUsage();
    f.h.sandbox.setDailyApiAllocation(used + 1000);
    f.h.sandbox.spendApiCalls(1000);
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
      f.h.sandbox.setDailyApiAllocation(1_000_000);
    }
  });
});
