import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allTopics, campaignStopTopic, deadLetterTopicName, defineTopic, emailSentTopic, EventHeaders } from '../src';
import { z } from 'zod';

const sent = {
  sentEmailId: '6f1c2a38-1d7b-4a53-9a32-1c2f5e9a7b10',
  sendRequestId: '1b4f0c86-0e63-4b43-8f7e-3a3c7f2d9e01',
  orgId: '0e2a5f4c-8b1d-4c6e-9a7f-2d3b4c5e6f70',
  mailboxId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  enrollmentId: null,
  sequenceId: null,
  stepNumber: null,
  messageId: '<abc@telltale.test>',
  providerMessageId: null,
  providerThreadId: null,
  from: { address: 'Sam@Telltale.test', name: 'Sam' },
  to: [{ address: 'flynn@flynnsarcade.com', name: null }],
  cc: [],
  subject: 'Hello',
  tracking: { opens: true, clicks: true, trackedLinks: 1 },
  sentAt: '2026-11-27T09:00:00.000Z',
};

test('topic names follow <domain>.<event>.v<N> and are unique', () => {
  const names = allTopics.map((t) => t.name);
  assert.equal(new Set(names).size, names.length);
  assert.throws(() => defineTopic({ ...emailSentTopic, name: 'EmailSent' }), /does not follow/);
});

test('a valid payload parses, addresses are lower-cased, and the key is the entity id', () => {
  const parsed = emailSentTopic.schema.parse(sent);
  assert.equal(parsed.from.address, 'sam@telltale.test');
  assert.equal(emailSentTopic.keyOf(parsed), sent.sentEmailId);
});

test('invalid payloads are rejected with the failing path', () => {
  const cases: [string, unknown][] = [
    ['missing field', { ...sent, messageId: undefined }],
    ['msg-id without brackets', { ...sent, messageId: 'abc@x' }],
    ['upper-case uuid', { ...sent, orgId: sent.orgId.toUpperCase() }],
    ['no recipients', { ...sent, to: [] }],
    ['bad timestamp', { ...sent, sentAt: 'yesterday' }],
    ['unknown stop reason', { stopId: sent.sentEmailId, orgId: sent.orgId, enrollmentId: sent.orgId, reason: 'bored', causeId: sent.orgId, sentEmailId: null, occurredAt: sent.sentAt }],
  ];
  for (const [name, value] of cases) {
    const schema: z.ZodType = name === 'unknown stop reason' ? campaignStopTopic.schema : emailSentTopic.schema;
    const result = schema.safeParse(value);
    assert.equal(result.success, false, name);
  }
});

test('event headers require an event id, type, time and org, and a well-formed traceparent', () => {
  const ok = EventHeaders.safeParse({
    'event-id': sent.sentEmailId,
    'event-type': 'email.sent',
    'occurred-at': sent.sentAt,
    'org-id': sent.orgId,
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  });
  assert.equal(ok.success, true);
  assert.equal(EventHeaders.safeParse({ 'event-id': 'x' }).success, false);
  assert.equal(deadLetterTopicName('email.sent.v1', 'crm-writer'), 'email.sent.v1.dlq.crm-writer');
});
