import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import type { TrackingEngagementCorrected } from '@telltale/contracts';
import type { Caller } from '@telltale/runtime';
import { isCorrection, projectCorrection, projectEngagement, type SentFacts } from '../src/feed/feed-projection';
import { feedFilterFor, feedMatches, type FeedRow } from '../src/feed/feed-query';

/** A hit shown as a person's, corrected to a machine (tracking.engagement-corrected.v1): what its item becomes. */
const orgId = randomUUID();
const sent: SentFacts = { sentEmailId: randomUUID(), mailboxId: randomUUID(), sequenceId: null, enrollmentId: null, subject: 'The Grid', to: { address: 'flynn@encom.example', name: 'Kevin Flynn' }, humanOpens: 0 };
const engagementId = randomUUID();
const click = {
  engagementId,
  orgId,
  sentEmailId: sent.sentEmailId,
  type: 'clicked' as const,
  linkIndex: 2,
  url: 'https://encom.example/grid',
  classification: { label: 'human' as const, confidence: 0.7, reasons: ['no machine signature matched', '3600 s after send'] },
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0',
  occurredAt: '2026-12-08T09:00:00.000Z',
};
const correction: TrackingEngagementCorrected = {
  correctionId: randomUUID(),
  engagementId,
  orgId,
  sentEmailId: sent.sentEmailId,
  type: 'clicked',
  linkIndex: 2,
  occurredAt: click.occurredAt,
  previousLabel: 'human',
  classification: { label: 'security_scanner', confidence: 0.85, reasons: ['link burst: 3 links of the email within 2 s (found after the click)', '3600 s after send'] },
  correctedAt: '2026-12-08T09:00:01.000Z',
};

it('a corrected click reads as the machine it was, with the reason, and names the item it replaces', () => {
  const projected = projectEngagement({ eventId: randomUUID(), orgId }, click, sent);
  assert.ok('item' in projected);
  assert.equal(projected.item.summary, 'Kevin Flynn clicked encom.example/grid in “The Grid”');
  const corrected = projectCorrection({ id: '41', kind: 'clicked', person: sent.to, detail: projected.item.detail }, correction);
  assert.equal(corrected.summary, 'A security scanner (for Kevin Flynn) clicked encom.example/grid in “The Grid”');
  assert.deepEqual(corrected.machineReasons, ['security_scanner', 'link burst: 3 links of the email within 2 s (found after the click)', '3600 s after send']);
  assert.deepEqual(corrected.detail, {
    subject: 'The Grid',
    label: 'security_scanner',
    confidence: 0.85,
    url: 'https://encom.example/grid',
    linkIndex: 2,
    correction: { replaces: '41', previousLabel: 'human', correctedAt: '2026-12-08T09:00:01.000Z' },
  });
  assert.equal(isCorrection(corrected.detail), true);
  assert.equal(isCorrection(projected.item.detail), false);
});

it('a stream hiding machine activity still gets a correction (to take the person\'s item away), and no other machine row', () => {
  const caller = { orgId, userId: randomUUID(), roles: ['admin'], kind: 'user' } as unknown as Caller;
  const hidingMachines = feedFilterFor(caller, {});
  const row = (machine: boolean, detail: Record<string, unknown>): FeedRow => ({
    id: '42',
    kind: 'clicked',
    occurred_at: new Date(click.occurredAt),
    org_id: orgId,
    owner_user_id: null,
    sequence_id: null,
    enrollment_id: null,
    sent_email_id: sent.sentEmailId,
    mailbox_id: sent.mailboxId,
    person_address: sent.to.address,
    person_name: sent.to.name,
    company: 'encom.example',
    machine,
    machine_reasons: machine ? ['security_scanner'] : [],
    detail,
    summary: '',
  });
  assert.equal(feedMatches(hidingMachines, row(true, { correction: { replaces: '41' } })), true);
  assert.equal(feedMatches(hidingMachines, row(true, {})), false);
  assert.equal(feedMatches(hidingMachines, row(false, {})), true);
});
