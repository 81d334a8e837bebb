import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InboundParseError, parseInboundMessage, type InboundMessageMeta } from '../src';
import { FIXED_RECEIVED_AT, inboundFixtureNames, readInboundFixture } from './inbound-fixtures';

const meta: InboundMessageMeta = { providerMessageId: 'm1', providerThreadId: 't1', folder: 'INBOX', receivedAt: FIXED_RECEIVED_AT };

function parseFixture(name: string): ReturnType<typeof parseInboundMessage> {
  return parseInboundMessage(readInboundFixture(name), meta);
}

describe('parseInboundMessage: what the reply detector relies on', () => {
  it('reads a reply: In-Reply-To and every References id in order, addresses lower-cased', async () => {
    const message = await parseFixture('reply-with-references');
    assert.equal(message.messageId, '<CAK8fL3mN2pQ7rS9tU1vW4xY6zA8bC0dE3fG5hJ7kL9mN1pQ@mail.gmail.com>');
    assert.deepEqual(message.inReplyTo, ['<CAJx9v2=Qm7xK1pL8wR3tY6uI0oP5aS4dF7gH2jK9lZ3xC1vB@mail.gmail.com>']);
    assert.deepEqual(message.references, [
      '<3f2a9c1e-7b4d-4e8a-9c61-0d5e2f7a8b90@mail.telltale.test>',
      '<CAJx9v2=Qm7xK1pL8wR3tY6uI0oP5aS4dF7gH2jK9lZ3xC1vB@mail.gmail.com>',
    ]);
    assert.deepEqual(message.cc, [{ address: 'alan@encom.com', name: 'Alan Bradley' }]);
    assert.equal(message.providerThreadId, 't1');
    assert.equal(message.receivedAt, FIXED_RECEIVED_AT.toISOString());
  });

  it('reads an Outlook reply: Thread-Index as sent, Thread-Topic and subject decoded', async () => {
    const message = await parseFixture('outlook-reply-thread-index');
    assert.equal(message.threadIndex, 'AQHbZk3x9yqN5L0bQkW4m2J8cT7a6wAAHk3g');
    assert.equal(message.threadTopic, 'Pricing for the “Grid” bundle');
    assert.equal(message.subject, 'RE: Pricing for the “Grid” bundle');
    assert.deepEqual(message.from, { address: 'kevinf@flynnsarcade.com', name: 'Kevin Flynn' });
    assert.ok(message.textBody?.startsWith('Hi Rep,\n\nWe can do 15% off — send me the quote.'));
  });

  it('copies the auto-reply markers of an out-of-office', async () => {
    const message = await parseFixture('out-of-office-auto-submitted');
    assert.deepEqual(message.autoReplyMarkers, {
      autoSubmitted: 'auto-replied',
      precedence: 'auto_reply',
      xAutoreply: 'yes',
      xAutorespond: null,
      xAutoResponseSuppress: 'All',
      xFailedRecipients: null,
      returnPath: '<>',
    });
  });

  it('reads a multipart/report bounce: report type, per-recipient status and the returned headers', async () => {
    const message = await parseFixture('bounce-delivery-status');
    assert.equal(message.contentType, 'multipart/report');
    assert.equal(message.reportType, 'delivery-status');
    assert.deepEqual(
      message.deliveryStatus.map((entry) => [entry.finalRecipient, entry.action, entry.status]),
      [
        ['sark@encom.com', 'failed', '5.1.1'],
        ['dumont@encom.com', 'delayed', '4.4.1'],
      ],
    );
    assert.equal(message.enclosedOriginal?.messageId, '<5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9@mail.telltale.test>');
    assert.equal(message.enclosedOriginal?.headers['x-telltale-send-id'], 'snd_01JHX4Q2W8');
    assert.equal(message.enclosedOriginal?.subject, 'Quick question about the MCP upgrade – 15%');
    // The machine-readable report is not part of the human text.
    assert.ok(!(message.textBody ?? '').includes('Reporting-MTA'));
  });

  it('reads the original from a message/rfc822 part of an Exchange NDR', async () => {
    const message = await parseFixture('exchange-ndr-enclosed-message');
    assert.equal(message.enclosedOriginal?.messageId, '<7d8e9fa0-b1c2-4d3e-8f4a-5b6c7d8e9fa0@mail.telltale.test>');
    assert.equal(message.deliveryStatus[0]?.status, '5.1.10');
    assert.ok(!(message.textBody ?? '').includes('Hi Roy'));
  });

  it('derives text from an html-only message', async () => {
    const message = await parseFixture('html-only');
    assert.equal(message.contentType, 'text/html');
    assert.ok(message.textBody?.startsWith("Yes, we'd like the demo.\n\nCafé on Tuesday works & so does Wednesday."));
    assert.ok(!(message.textBody ?? '').includes('<p>'));
  });

  it('keeps List-Id and List-Unsubscribe as sent', async () => {
    const message = await parseFixture('mailing-list');
    assert.equal(message.listId, 'Encom News <news.lists.encom.com>');
    assert.equal(message.listUnsubscribe, '<mailto:unsubscribe@lists.encom.com?subject=unsubscribe>, <https://lists.encom.com/unsubscribe/abc123>');
    assert.equal(message.autoReplyMarkers.precedence, 'bulk');
  });

  it('degrades malformed headers to nulls instead of failing', async () => {
    const message = await parseFixture('malformed-headers');
    assert.equal(message.from, null);
    assert.deepEqual(message.to, []);
    assert.equal(message.date, null);
    assert.equal(message.messageId, '<no-brackets@example.com>');
    assert.deepEqual(message.inReplyTo, ['<first@example.com>']);
    assert.deepEqual(message.references, ['<one@example.com>', '<two@example.com>', '<three@example.com>']);
    assert.equal(message.threadIndex, null);
    assert.equal(message.subject, 'café and plain été');
  });

  it('reads raw UTF-8 headers (RFC 6532) and an 8-bit body', async () => {
    const message = await parseFixture('utf8-headers-8bit');
    assert.equal(message.subject, 'Grüße aus München');
    assert.deepEqual(message.to, [{ address: 'zoe@example.org', name: 'Zoë' }]);
    assert.equal(message.textBody, 'Schöne Grüße!\n');
  });
});

describe('parseInboundMessage: limits and fallbacks', () => {
  it('caps the text body and says so', async () => {
    const raw = Buffer.from(`From: a@example.com\r\nSubject: long\r\n\r\n${'é'.repeat(50_000)}\r\n`);
    const message = await parseInboundMessage(raw, meta);
    assert.equal(message.textBodyTruncated, true);
    assert.equal(Buffer.byteLength(message.textBody ?? '', 'utf8'), 32 * 1024);
    const small = await parseInboundMessage(raw, meta, { maxTextBytes: 9 });
    assert.equal(small.textBody, 'éééé');
  });

  it('falls back from the provider time to the top Received header, then to the clock', async () => {
    const withReceived = Buffer.from(
      'Received: from a by b; Mon, 3 Feb 2025 10:00:00 +0000\r\nReceived: from c by a; Mon, 3 Feb 2025 09:59:00 +0000\r\nFrom: a@example.com\r\n\r\nhi\r\n',
    );
    const noMeta = { providerMessageId: 'm', providerThreadId: null, folder: 'INBOX' };
    assert.equal((await parseInboundMessage(withReceived, noMeta)).receivedAt, '2025-02-03T10:00:00.000Z');
    const bare = Buffer.from('From: a@example.com\r\n\r\nhi\r\n');
    const clock = (): Date => new Date('2025-04-05T06:07:08.000Z');
    assert.equal((await parseInboundMessage(bare, noMeta, { now: clock })).receivedAt, '2025-04-05T06:07:08.000Z');
    assert.equal((await parseInboundMessage(bare, { ...noMeta, receivedAt: new Date(Number.NaN) }, { now: clock })).receivedAt, '2025-04-05T06:07:08.000Z');
  });

  it('treats a message without Content-Type as text/plain (RFC 2045 §5.2) and counts its bytes', async () => {
    const raw = Buffer.from('From: a@example.com\r\n\r\nhi\r\n');
    const message = await parseInboundMessage(raw, meta);
    assert.equal(message.contentType, 'text/plain');
    assert.equal(message.reportType, null);
    assert.equal(message.sizeBytes, raw.length);
    assert.equal(message.messageId, null);
    assert.deepEqual(message.enclosedOriginal, null);
  });

  it('keeps the headers when mailparser gives up on the body (more than 1000 MIME parts)', async () => {
    const parts = Array.from({ length: 1100 }, (_, index) => `--b\r\nContent-Type: text/plain\r\n\r\npart ${index}\r\n`);
    const raw = Buffer.from(
      `From: Alan <Alan@Encom.com>\r\nTo: rep@telltale.test\r\nSubject: many parts\r\nMessage-ID: <many@encom.com>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n${parts.join('')}--b--\r\n`,
    );
    const message = await parseInboundMessage(raw, meta);
    assert.deepEqual(message.from, { address: 'alan@encom.com', name: 'Alan' });
    assert.deepEqual(message.to, [{ address: 'rep@telltale.test', name: null }]);
    assert.equal(message.subject, 'many parts');
    assert.equal(message.messageId, '<many@encom.com>');
    assert.equal(message.contentType, 'multipart/mixed');
    assert.equal(message.textBody, null);
  });

  it('throws InboundParseError only for bytes that are not a message', async () => {
    const notMessages = [Buffer.alloc(0), Buffer.from('just some text\nwithout headers\n'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0xff])];
    for (const raw of notMessages) {
      await assert.rejects(parseInboundMessage(raw, meta), InboundParseError);
    }
  });

  it('never throws on any truncation of the fixtures', async () => {
    for (const name of inboundFixtureNames()) {
      const raw = readInboundFixture(name);
      for (let cut = 1; cut <= raw.length; cut += 37) {
        try {
          const message = await parseInboundMessage(raw.subarray(0, cut), meta);
          assert.equal(message.sizeBytes, cut);
        } catch (error) {
          assert.ok(error instanceof InboundParseError, `${name} cut at ${cut} threw ${String(error)}`);
        }
      }
    }
  });
});
