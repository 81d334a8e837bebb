import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { composeOutboundMessage, parseInboundMessage, type OutboundMessageInput } from '../src';
import { readHeaderSection } from '../src/header-section';

const base: OutboundMessageInput = {
  from: { address: 'rep@telltale.test', name: 'Rep Example' },
  to: [{ address: 'flynn@flynnsarcade.com', name: 'Flynn' }],
  cc: [{ address: 'alan@encom.com', name: null }],
  bcc: [{ address: 'archive@telltale.test', name: null }],
  subject: 'Arcade cabinets – spring season',
  html: '<p>Hello <b>Flynn</b></p>',
  text: 'Hello Flynn',
  messageIdDomain: 'mail.telltale.test',
};

const meta = { providerMessageId: 'composed', providerThreadId: null, folder: 'Sent' };

function headerNames(raw: Buffer): string[] {
  return readHeaderSection(raw).fields.map((field) => field.name);
}

describe('composeOutboundMessage', () => {
  it('writes a unique RFC 5322 Message-ID <uuid@domain> and returns it', async () => {
    const first = await composeOutboundMessage(base);
    const second = await composeOutboundMessage(base);
    assert.match(first.messageId, /^<[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}@mail\.telltale\.test>$/);
    assert.notEqual(first.messageId, second.messageId);
    const parsed = await parseInboundMessage(first.raw, meta);
    assert.equal(parsed.messageId, first.messageId);
  });

  it('builds multipart/alternative with the text and html parts', async () => {
    const composed = await composeOutboundMessage(base, { newId: () => 'fixed', now: () => new Date('2025-01-02T03:04:05Z') });
    const parsed = await parseInboundMessage(composed.raw, meta);
    assert.equal(composed.messageId, '<fixed@mail.telltale.test>');
    assert.equal(parsed.contentType, 'multipart/alternative');
    assert.equal(parsed.textBody?.trim(), 'Hello Flynn');
    assert.equal(parsed.subject, 'Arcade cabinets – spring season');
    assert.equal(parsed.date, '2025-01-02T03:04:05.000Z');
    assert.deepEqual(parsed.from, { address: 'rep@telltale.test', name: 'Rep Example' });
    assert.deepEqual(parsed.to, [{ address: 'flynn@flynnsarcade.com', name: 'Flynn' }]);
    assert.deepEqual(parsed.cc, [{ address: 'alan@encom.com', name: null }]);
    assert.match(composed.raw.toString(), /Content-Type: text\/html; charset=utf-8/);
  });

  it('sends text only as text/plain when there is no html', async () => {
    const composed = await composeOutboundMessage({ ...base, html: null });
    const parsed = await parseInboundMessage(composed.raw, meta);
    assert.equal(parsed.contentType, 'text/plain');
    assert.equal(parsed.textBody?.trim(), 'Hello Flynn');
  });

  it('keeps Bcc out of the headers and puts every recipient in the envelope', async () => {
    const composed = await composeOutboundMessage(base);
    assert.ok(!headerNames(composed.raw).includes('bcc'));
    assert.ok(!composed.raw.toString().includes('archive@telltale.test'));
    assert.deepEqual(composed.envelope, {
      from: 'rep@telltale.test',
      to: ['flynn@flynnsarcade.com', 'alan@encom.com', 'archive@telltale.test'],
    });
  });

  it('writes In-Reply-To and References for a follow-up in the same thread', async () => {
    const composed = await composeOutboundMessage({
      ...base,
      inReplyTo: '<prev-2@mail.telltale.test>',
      references: ['<prev-1@mail.telltale.test>', 'prev-2@mail.telltale.test'],
    });
    const parsed = await parseInboundMessage(composed.raw, meta);
    assert.deepEqual(parsed.inReplyTo, ['<prev-2@mail.telltale.test>']);
    assert.deepEqual(parsed.references, ['<prev-1@mail.telltale.test>', '<prev-2@mail.telltale.test>']);
  });

  it('adds custom headers', async () => {
    const composed = await composeOutboundMessage({ ...base, headers: { 'X-Telltale-Send-Id': 'snd_1' } });
    const field = readHeaderSection(composed.raw).fields.find((candidate) => candidate.name === 'x-telltale-send-id');
    assert.equal(field?.value, 'snd_1');
  });

  it('uses CRLF line ends only', async () => {
    const composed = await composeOutboundMessage({ ...base, text: 'line one\nline two\n' });
    assert.ok(!/[^\r]\n/.test(composed.raw.toString('latin1')));
  });

  const invalid: { name: string; input: OutboundMessageInput; message: RegExp }[] = [
    { name: 'a header injection attempt', input: { ...base, headers: { 'X-Evil': 'a\r\nBcc: victim@example.com' } }, message: /line break/ },
    { name: 'a header the composer owns', input: { ...base, headers: { 'Message-ID': '<mine@x>' } }, message: /set by the composer/ },
    { name: 'an invalid header name', input: { ...base, headers: { 'Bad Name': 'x' } }, message: /invalid header name/ },
    { name: 'a messageIdDomain that is not a domain', input: { ...base, messageIdDomain: 'not a domain' }, message: /not a domain/ },
    { name: 'a messageIdDomain with an @', input: { ...base, messageIdDomain: 'x@mail.telltale.test' }, message: /not a domain/ },
    { name: 'no recipients', input: { ...base, to: [], cc: [], bcc: [] }, message: /at least one recipient/ },
    { name: 'two ids in inReplyTo', input: { ...base, inReplyTo: '<a@x> <b@x>' }, message: /exactly one message id/ },
  ];
  for (const testCase of invalid) {
    it(`rejects ${testCase.name}`, async () => {
      await assert.rejects(composeOutboundMessage(testCase.input), testCase.message);
    });
  }
});
