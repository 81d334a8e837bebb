import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type DetectionContext, detectReply, type InboundMessage, type SentEmailRecord, type VerdictKind } from '@telltale/replies';
import { inboundMessage } from './support/inbound-message';

const SENT: SentEmailRecord = {
  sentEmailId: '00000000-0000-4000-8000-000000000001',
  orgId: 'o',
  mailboxId: 'm',
  enrollmentId: null,
  sequenceId: null,
  messageId: '<s1@seller.com>',
  providerThreadId: null,
  from: 'rep@seller.com',
  to: ['pat@buyer.com'],
  cc: [],
  sentAt: new Date('2026-11-20T00:00:00Z'),
};
const CTX: DetectionContext = {
  mailboxAddress: 'rep@seller.com',
  orgDomains: new Set(['seller.com']),
  teammates: new Set(),
  freeMailDomains: new Set(['gmail.com']),
  sentByMessageIds: new Map([['<s1@seller.com>', SENT]]),
  sentInProviderThread: [],
  sentInThreadIndexConversation: [],
  recentSentToAddress: [],
  recentSentToDomain: [],
};
const markers = inboundMessage({}).autoReplyMarkers;
const inThread = { inReplyTo: ['<s1@seller.com>'] };

const table: [string, Partial<InboundMessage>, VerdictKind][] = [
  [
    'an Office 365 NDR carries Auto-Submitted and is still a bounce',
    {
      ...inThread,
      subject: 'Undeliverable: hi',
      autoReplyMarkers: { ...markers, autoSubmitted: 'auto-replied' },
      reportType: 'delivery-status',
      deliveryStatus: [{ action: 'failed', status: '5.1.10', finalRecipient: 'pat@buyer.com', diagnosticCode: null }],
    },
    'bounce',
  ],
  ['a delayed report is not a bounce', { ...inThread, reportType: 'delivery-status', deliveryStatus: [{ action: 'delayed', status: '4.4.7', finalRecipient: 'pat@buyer.com', diagnosticCode: null }] }, 'other'],
  ['a read receipt marked Auto-Submitted is other, not an auto-reply', { ...inThread, reportType: 'disposition-notification', autoReplyMarkers: { ...markers, autoSubmitted: 'auto-replied' } }, 'other'],
  ['an out-of-office with Precedence: bulk is an auto-reply', { ...inThread, subject: 'Out of Office', autoReplyMarkers: { ...markers, precedence: 'bulk' } }, 'auto_reply'],
  ['Auto-Submitted: no is a human', { ...inThread, autoReplyMarkers: { ...markers, autoSubmitted: 'no' } }, 'reply'],
  ['"Re: Out of office" written by a person is a reply', { ...inThread, subject: 'Re: Out of office coverage' }, 'reply'],
  ['an ARF complaint is other', { ...inThread, reportType: 'feedback-report' }, 'other'],
  ['a newsletter out of thread is other', { listId: '<news.buyer.com>' }, 'other'],
  ['a plain answer in the thread is a reply', { ...inThread }, 'reply'],
];

for (const [why, over, kind] of table) {
  test(`classification order: ${why}`, () => {
    const verdict = detectReply(inboundMessage(over), CTX);
    assert.equal(verdict.kind, kind, verdict.reasons.join(' | '));
  });
}

test('the rep writing in the thread is never a reply', () => {
  const verdict = detectReply(inboundMessage({ ...inThread, from: { address: 'REP@seller.com', name: null } }), CTX);
  assert.equal(verdict.kind, 'other');
  assert.equal(verdict.fromOwnOrg, true);
  assert.equal(verdict.sent, null);
});

test('a return date is read against the Date header, unless the sender clock is more than a week off', () => {
  const ooo = (date: string | null): string | null =>
    detectReply(
      inboundMessage({ ...inThread, subject: 'Automatic reply: hi', date, receivedAt: '2026-12-05T09:00:00.000Z', autoReplyMarkers: { ...markers, autoSubmitted: 'auto-generated' }, textBody: 'Ich bin bis 3.12. nicht im Büro.' }),
      CTX,
    ).returnDate;
  // Written on 1 December, delivered on the 5th (a queue, a late sync): "bis 3.12." is 3 December.
  assert.equal(ooo('2026-12-01T09:00:00.000Z'), '2026-12-03');
  // Read against the arrival, 3 December has passed.
  assert.equal(ooo(null), null);
  assert.equal(ooo('2020-01-01T09:00:00.000Z'), null);
});
