import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SalesforceConnectionView } from '../src/connections';
import { emailSentTopic, sentEmail } from './support/crm-events';
import { startActivityWriter, type ActivityWriterFixture } from './support/activity-writer-fixture';

/**
 * An organisation with its own Salesforce connection (web-server flow): when Salesforce answers
 * invalid_grant, its activities wait — not dead-lettered, however long — and land exactly once
 * after an admin reconnects.
 */
describe('crm-writer: activities wait while Salesforce needs reconnecting', () => {
  let f: ActivityWriterFixture;
  before(async () => {
    f = await startActivityWriter('sf-reconnect');
  });
  after(() => f?.stop());

  const connect = async (orgId: string): Promise<SalesforceConnectionView> => {
    const started = (await (await f.h.api('/v1/salesforce/connection/oauth', { method: 'POST', body: JSON.stringify({ environment: 'production' }), orgId })).json()) as { authorizationUrl: string; state: string };
    const back = new URL((await fetch(started.authorizationUrl, { redirect: 'manual' })).headers.get('location') ?? '');
    const res = await f.h.api(`/v1/salesforce/connection/oauth/callback?code=${encodeURIComponent(back.searchParams.get('code') ?? '')}&state=${encodeURIComponent(started.state)}`, { orgId });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as SalesforceConnectionView;
  };
  const status = async (orgId: string) => ((await (await f.h.api('/v1/salesforce/connection', { orgId })).json()) as SalesforceConnectionView).state;

  it('keeps the activity through a revoked grant and writes it once after reconnecting', async () => {
    const orgId = f.newOrg();
    assert.equal((await connect(orgId)).state, 'connected');
    f.h.sandbox.seed('Contact', { LastName: 'Waiting', Email: 'waiting@buyer.example' });

    // A first activity goes through the organisation's own connection.
    const first = sentEmail(orgId, { to: [{ address: 'waiting@buyer.example', name: null }] });
    await f.events.publish(emailSentTopic, first, orgId);
    await f.received(orgId, 1);
    await f.flush();
    assert.equal(f.tasksWithKey(`email-sent:${first.sentEmailId}`).length, 1);

    // The admin revokes the app in Salesforce; the next write finds out when its session is refreshed.
    f.h.sandbox.revokeAllTokens();
    const second = sentEmail(orgId, { to: [{ address: 'waiting@buyer.example', name: null }] });
    await f.events.publish(emailSentTopic, second, orgId);
    await f.received(orgId, 2);
    await f.flush();
    assert.equal(await status(orgId), 'needs_reconnect');
    for (let hour = 0; hour < 6; hour += 1) await f.flush(60 * 60_000);
    const waiting = (await f.activities(orgId)).find((a) => a.activity_key === `email-sent:${second.sentEmailId}`);
    assert.equal(waiting?.state, 'pending', 'waiting, not dead-lettered');
    assert.equal(f.tasksWithKey(`email-sent:${second.sentEmailId}`).length, 0);

    assert.equal((await connect(orgId)).state, 'connected');
    await f.flush(10 * 60_000);
    await f.flush(10 * 60_000);
    const written = (await f.activities(orgId)).find((a) => a.activity_key === `email-sent:${second.sentEmailId}`);
    assert.equal(written?.state, 'written');
    assert.equal(f.tasksWithKey(`email-sent:${second.sentEmailId}`).length, 1, 'exactly one Task');
    assert.equal(f.tasksWithKey(`email-sent:${first.sentEmailId}`).length, 1);
  });
});
