import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Caller } from '@telltale/runtime';
import { companyOf, projectEngagement, projectPauseChange, projectReply, projectSendFailed, projectStop, waitKey, type SentFacts } from '../src/feed/feed-projection';
import { feedFilterFor, feedMatches, FeedHistoryQuery, type FeedRow } from '../src/feed/feed-query';

/** The feed's pure parts: what an event becomes (or waits for), and who sees which row. */
const orgId = randomUUID();
const ids = { eventId: randomUUID(), orgId };
const sent: SentFacts = {
  sentEmailId: randomUUID(),
  mailboxId: randomUUID(),
  sequenceId: randomUUID(),
  enrollmentId: randomUUID(),
  subject: 'The Grid',
  to: { address: 'flynn@encom.example', name: 'Kevin Flynn' },
  humanOpens: 0,
};
const hit = (label: 'human' | 'self' | 'internal' | 'link_preview') => ({
  engagementId: randomUUID(),
  orgId,
  sentEmailId: sent.sentEmailId,
  type: 'opened' as const,
  linkIndex: null,
  url: null,
  classification: { label, confidence: 0.8, reasons: label === 'link_preview' ? ['Slackbot-LinkExpanding'] : [] },
  userAgent: null,
  occurredAt: new Date().toISOString(),
});

describe('feed projection', () => {
  it('groups by company, but not by a free-mail domain', () => {
    assert.equal(companyOf('Alan@ENCOM.example'), 'encom.example');
    assert.equal(companyOf('someone@gmail.com'), null);
    assert.equal(companyOf(null), null);
  });

  it('an open waits for its email, the sender’s own hits never enter, machines are flagged with reasons', () => {
    assert.deepEqual(projectEngagement(ids, hit('human'), null), { waitFor: waitKey.sent(sent.sentEmailId) });
    assert.ok('skip' in projectEngagement(ids, hit('self'), sent));
    assert.ok('skip' in projectEngagement(ids, hit('internal'), null), 'skipped without waiting');
    const preview = projectEngagement(ids, hit('link_preview'), sent);
    assert.ok('item' in preview);
    assert.equal(preview.item.machine, true);
    assert.deepEqual(preview.item.machineReasons, ['link_preview', 'Slackbot-LinkExpanding']);
    assert.equal(preview.item.summary, 'A link preview (for Kevin Flynn) opened “The Grid”');
  });

  it('replies say who and how they relate; an out-of-office its return date; no human open, images probably blocked', () => {
    const reply = {
      replyId: randomUUID(),
      orgId,
      mailboxId: sent.mailboxId,
      sentEmailId: sent.sentEmailId,
      enrollmentId: sent.enrollmentId,
      sequenceId: sent.sequenceId,
      kind: 'reply' as const,
      relation: 'colleague' as const,
      matchedBy: 'company_domain' as const,
      from: { address: 'lora@encom.example', name: null },
      inboundMessageId: null,
      providerMessageId: 'p1',
      subject: null,
      snippet: null,
      returnDate: null,
      receivedAt: new Date().toISOString(),
      detectedAt: new Date().toISOString(),
    };
    const replied = projectReply(ids, reply, sent);
    assert.ok('item' in replied);
    assert.equal(replied.item.summary, 'lora@encom.example (colleague) replied');
    assert.equal(replied.item.detail.imagesProbablyBlocked, true);
    const opened = projectReply(ids, reply, { ...sent, humanOpens: 1 });
    assert.ok('item' in opened && opened.item.detail.imagesProbablyBlocked === undefined);
    const ooo = projectReply(ids, { ...reply, kind: 'auto_reply', relation: 'prospect', from: sent.to, returnDate: '2027-01-04' }, sent);
    assert.ok('item' in ooo);
    assert.deepEqual([ooo.item.kind, ooo.item.summary], ['auto_reply', 'Kevin Flynn is out of office until 2027-01-04']);
  });

  it('a stop waits for the reply or bounce that caused it, then names the person; a skipped send is not a failure', () => {
    const stop = { stopId: randomUUID(), orgId, enrollmentId: sent.enrollmentId!, reason: 'replied' as const, causeId: randomUUID(), sentEmailId: sent.sentEmailId, occurredAt: new Date().toISOString() };
    assert.deepEqual(projectStop(ids, stop, null, null), { waitFor: waitKey.sent(sent.sentEmailId) });
    assert.deepEqual(projectStop(ids, stop, sent, null), { waitFor: waitKey.cause(stop.causeId) });
    const done = projectStop(ids, stop, sent, { kind: 'replied', person: { address: 'alan@encom.example', name: 'Alan Bradley' } });
    assert.ok('item' in done);
    assert.equal(done.item.summary, 'Campaign stopped: Alan Bradley replied');
    const manual = projectStop(ids, { ...stop, reason: 'manual', sentEmailId: null }, null, null);
    assert.ok('item' in manual && manual.item.summary === 'Campaign stopped: stopped by hand');
    const failure = { sendRequestId: randomUUID(), orgId, mailboxId: sent.mailboxId, enrollmentId: null, stepNumber: null, reason: 'x', failedAt: new Date().toISOString() };
    assert.ok('skip' in projectSendFailed(ids, { ...failure, code: 'ENROLLMENT_NOT_ACTIVE' }));
    const limited = projectSendFailed(ids, { ...failure, code: 'RATE_LIMITED' });
    assert.ok('item' in limited && limited.item.summary === 'Email not sent: the mailbox provider is rate limiting');
  });
});

describe('feed filters', () => {
  const rep = randomUUID();
  const caller = (roles: Caller['roles'], kind: Caller['kind'] = 'user'): Caller => ({ orgId, userId: kind === 'user' ? rep : null, subject: 'x', kind, roles, scopes: null, email: null });
  const row = (over: Partial<FeedRow>): FeedRow => ({
    id: '1',
    kind: 'opened',
    occurred_at: new Date('2026-12-01T10:00:00Z'),
    org_id: orgId,
    owner_user_id: rep,
    sequence_id: null,
    enrollment_id: null,
    sent_email_id: null,
    mailbox_id: null,
    person_address: null,
    person_name: null,
    company: 'encom.example',
    machine: false,
    machine_reasons: [],
    detail: {},
    summary: '',
    ...over,
  });

  it('a pause for a step template lacking a variable says which step and why, not "by hand"', () => {
    const change = {
      changeId: randomUUID(), orgId, enrollmentId: randomUUID(), sequenceId: randomUUID(), mailboxId: randomUUID(), prospect: { address: 'kevin@encom.example', name: 'Kevin Flynn' },
      change: 'paused' as const, reason: 'manual' as const, until: null, returnDate: null, causeId: null, nextDueAt: null, occurredAt: new Date().toISOString(),
    };
    const byHand = projectPauseChange(ids, change);
    assert.ok('item' in byHand && byHand.item.summary === 'Campaign paused for Kevin Flynn by hand until someone resumes it');
    const detail = { code: 'template_variable_missing' as const, stepNumber: 2, variable: 'company', message: '"company" has no value for this prospect and no fallback (the step\'s text)' };
    const template = projectPauseChange(ids, { ...change, reasonDetail: detail });
    assert.ok('item' in template);
    assert.equal(template.item.summary, 'Campaign paused for Kevin Flynn: step 2 was not sent, "company" has no value for this prospect and no fallback (the step\'s text); paused until someone resumes it');
    assert.deepEqual(template.item.detail.reasonDetail, detail);
  });

  it('a rep sees only their own rows whatever they ask; a manager and an API key the organisation’s', () => {
    const other = randomUUID();
    const asRep = feedFilterFor(caller(['rep']), FeedHistoryQuery.parse({ ownerUserId: other }));
    assert.equal(feedMatches(asRep, row({})), false, 'asking for another rep gives nothing');
    assert.equal(feedMatches(feedFilterFor(caller(['rep']), {}), row({ owner_user_id: other })), false);
    assert.equal(feedMatches(feedFilterFor(caller(['rep']), {}), row({})), true);
    assert.equal(feedMatches(feedFilterFor(caller(['manager']), {}), row({ owner_user_id: other })), true);
    assert.equal(feedMatches(feedFilterFor(caller(['rep'], 'api_key'), {}), row({ owner_user_id: null })), true);
    assert.equal(feedMatches(feedFilterFor(caller(['admin']), {}), row({ org_id: randomUUID() })), false, 'never another organisation');
  });

  it('kinds, machines, company and time', () => {
    const q = (query: Record<string, string>) => feedFilterFor(caller(['admin']), FeedHistoryQuery.parse(query));
    assert.equal(feedMatches(q({}), row({ machine: true })), false);
    assert.equal(feedMatches(q({ includeMachine: 'true' }), row({ machine: true })), true);
    assert.equal(feedMatches(q({ kinds: 'replied,clicked' }), row({})), false);
    assert.equal(feedMatches(q({ kinds: 'opened' }), row({})), true);
    assert.equal(feedMatches(q({ company: 'ENCOM.example' }), row({})), true);
    assert.equal(feedMatches(q({ since: '2026-12-01T10:00:01Z' }), row({})), false);
    assert.equal(feedMatches(q({ until: '2026-12-01T10:00:00Z' }), row({})), true);
  });
});
