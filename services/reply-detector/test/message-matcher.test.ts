import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type DetectionContext, isFromOwnOrg, matchSentEmail, relationOf, type SentEmailRecord, threadIndexConversationKey } from '@telltale/replies';
import { inboundMessage } from './support/inbound-message';

const FREE = new Set(['gmail.com', 'outlook.com', 'yahoo.com']);
const sent = (id: string, to: string[], cc: string[] = []): SentEmailRecord => ({
  sentEmailId: `00000000-0000-4000-8000-00000000000${id.length % 10}`,
  orgId: 'o',
  mailboxId: 'm',
  enrollmentId: null,
  sequenceId: null,
  messageId: id,
  providerThreadId: null,
  from: 'rep@seller.com',
  to,
  cc,
  sentAt: new Date('2026-11-20T00:00:00Z'),
});
const S1 = sent('<s1@seller.com>', ['pat@buyer.com'], ['cc@buyer.com']);
const S2 = sent('<s2@seller.com>', ['pat@buyer.com']);

const message = inboundMessage;

function ctx(over: Partial<DetectionContext> = {}): DetectionContext {
  return {
    mailboxAddress: 'rep@seller.com',
    orgDomains: new Set(['seller.com']),
    teammates: new Set(['mate@seller.com']),
    freeMailDomains: FREE,
    sentByMessageIds: new Map(),
    sentInProviderThread: [],
    sentInThreadIndexConversation: [],
    recentSentToAddress: [],
    recentSentToDomain: [],
    ...over,
  };
}

test('any id in References matches, not only the last, and In-Reply-To wins', () => {
  const byIds = new Map([['<s1@seller.com>', S1]]);
  const m = matchSentEmail(message({ inReplyTo: ['<unknown@x>'], references: ['<s1@seller.com>', '<later@x>', '<unknown@x>'] }), ctx({ sentByMessageIds: byIds }), true);
  assert.equal(m?.rule, 'references');
  assert.equal(m?.messageId, '<s1@seller.com>');
  const both = new Map([['<s1@seller.com>', S1], ['<s2@seller.com>', S2]]);
  assert.equal(matchSentEmail(message({ inReplyTo: ['<s2@seller.com>'], references: ['<s1@seller.com>'] }), ctx({ sentByMessageIds: both }), true)?.messageId, '<s2@seller.com>');
});

test('evidence order: ids, provider thread, Thread-Index, then address, then company domain', () => {
  assert.equal(matchSentEmail(message({}), ctx({ sentInProviderThread: [S2], sentInThreadIndexConversation: [S1] }), true)?.rule, 'provider_thread');
  assert.equal(matchSentEmail(message({}), ctx({ sentInThreadIndexConversation: [S1], recentSentToAddress: [S2] }), true)?.rule, 'thread_index');
  assert.equal(matchSentEmail(message({}), ctx({ recentSentToAddress: [S2], recentSentToDomain: [S1] }), true)?.rule, 'prospect_address');
  const colleague = message({ from: { address: 'kim@buyer.com', name: null } });
  assert.equal(matchSentEmail(colleague, ctx({ recentSentToDomain: [S1] }), true)?.rule, 'company_domain');
  assert.equal(matchSentEmail(colleague, ctx({ recentSentToDomain: [S1] }), false), null, 'no out-of-thread fallback for bounces');
  const machine = message({ from: { address: 'no-reply@buyer.com', name: null } });
  assert.equal(matchSentEmail(machine, ctx({ recentSentToDomain: [S1] }), true), null, 'no-reply senders never match out of thread');
});

test('bounces match the Message-ID of the enclosed original', () => {
  const bounce = message({ enclosedOriginal: { messageId: '<s1@seller.com>', subject: null, from: null, to: null, headers: {} } });
  assert.equal(matchSentEmail(bounce, ctx({ sentByMessageIds: new Map([['<s1@seller.com>', S1]]) }), false)?.rule, 'enclosed_original');
});

test('free-mail domains never make colleagues', () => {
  const toGmail = sent('<s3@seller.com>', ['a@gmail.com']);
  assert.equal(relationOf('b@gmail.com', toGmail, FREE), 'other');
  assert.equal(matchSentEmail(message({ from: { address: 'b@gmail.com', name: null } }), ctx({ recentSentToDomain: [toGmail] }), true), null);
});

test('relation: prospect, cc, colleague, other', () => {
  assert.equal(relationOf('PAT@buyer.com', S1, FREE), 'prospect');
  assert.equal(relationOf('cc@buyer.com', S1, FREE), 'cc');
  assert.equal(relationOf('kim@buyer.com', S1, FREE), 'colleague');
  assert.equal(relationOf('x@elsewhere.com', S1, FREE), 'other');
});

test('the rep, teammates and the org domains are the org', () => {
  assert.ok(isFromOwnOrg('rep@seller.com', ctx()));
  assert.ok(isFromOwnOrg('mate@seller.com', ctx()));
  assert.ok(isFromOwnOrg('someone@seller.com', ctx()));
  assert.equal(isFromOwnOrg('pat@buyer.com', ctx()), null);
  assert.equal(isFromOwnOrg('x@gmail.com', ctx({ mailboxAddress: 'rep@gmail.com', orgDomains: new Set() })), null, 'a free-mail rep does not own gmail.com');
});

test('Thread-Index conversation key is the 22-byte header', () => {
  const header = Buffer.alloc(22, 7);
  const reply = Buffer.concat([header, Buffer.alloc(5, 1)]);
  assert.equal(threadIndexConversationKey(header.toString('base64')), threadIndexConversationKey(reply.toString('base64')));
  assert.equal(threadIndexConversationKey('not base64!'), null);
  assert.equal(threadIndexConversationKey(Buffer.alloc(10).toString('base64')), null);
});
