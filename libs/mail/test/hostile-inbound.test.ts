import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';

import { INBOUND_MESSAGE_LIMITS, MailboxMessageReceived } from '@telltale/contracts';
import { fuzzOptions, hostileMessages } from '@telltale/testing';
import { checkMimeStructure, fitInboundMessage, readInboundMessage, type InboundMessage, type InboundMessageMeta } from '../src';

const meta: InboundMessageMeta = { providerMessageId: 'm1', providerThreadId: null, folder: 'INBOX', receivedAt: new Date('2026-12-01T10:00:00Z') };
const REP = 'sam@telltale.test';

/** What mailbox-sync publishes must pass the topic's own schema, or the mailbox would stall on it. */
function assertFitsContract(message: InboundMessage): void {
  const checked = MailboxMessageReceived.safeParse({ orgId: randomUUID(), mailboxId: randomUUID(), mailboxAddress: REP, message });
  assert.ok(checked.success, checked.success ? '' : JSON.stringify(checked.error.issues.slice(0, 3)));
  assert.ok(Buffer.byteLength(JSON.stringify(message)) <= INBOUND_MESSAGE_LIMITS.eventBytes, 'within the event budget');
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

describe('hostile inbound messages: each becomes an event within the contract, or a recorded unreadable message', () => {
  const corpus = hostileMessages({ to: REP });
  const byName = new Map(corpus.map((m) => [m.name, m]));
  const read = async (name: string): Promise<InboundMessage> => {
    const hostile = byName.get(name)!;
    const { value, ms } = await timed(() => readInboundMessage(hostile.raw, meta));
    // Generous for a slow shared CI machine; the quadratic cases this guards against take seconds to minutes.
    assert.ok(ms < 3_000, `${name} took ${Math.round(ms)} ms`);
    assert.ok(value.message, `${name}: ${value.unreadable?.reason}`);
    assertFitsContract(value.message);
    return value.message;
  };

  it('a 5 000-character subject is cut to 4 000 and flagged', async () => {
    const message = await read('long-subject');
    assert.equal(message.subject?.length, INBOUND_MESSAGE_LIMITS.subjectChars);
    assert.ok(message.subject?.startsWith('hostile: long-subject SSS'));
    assert.deepEqual(message.truncated, ['subject']);
  });

  it('600 References ids: the first ten and the latest 490 are kept, In-Reply-To untouched', async () => {
    const message = await read('many-references');
    assert.equal(message.references.length, INBOUND_MESSAGE_LIMITS.referencesIds);
    assert.match(message.references[0]!, /^<ref-0-/);
    assert.match(message.references[9]!, /^<ref-9-/);
    assert.match(message.references[10]!, /^<ref-110-/);
    assert.match(message.references.at(-1)!, /^<ref-599-/);
    assert.match(message.inReplyTo[0]!, /^<ref-599-/);
    assert.deepEqual(message.truncated, ['references']);
  });

  it('200 nested multiparts and 5 000 parts: header fields read, the body not, and why', async () => {
    const deep = await read('deep-nesting');
    assert.equal(deep.bodySkipped, 'too-deep');
    assert.equal(deep.textBody, null);
    assert.match(deep.subject ?? '', /deep-nesting/);
    assert.equal(deep.messageId, byName.get('deep-nesting')!.messageId);
    const many = await read('many-parts');
    assert.equal(many.bodySkipped, 'too-many-parts');
  });

  it('a 12 MB message: header fields read, the body not, its full size kept', async () => {
    const large = await read('large-attachment');
    assert.equal(large.bodySkipped, 'too-large');
    assert.ok(large.sizeBytes > 12 * 1024 * 1024);
    assert.equal(large.messageId, byName.get('large-attachment')!.messageId);
  });

  it('the first bytes of a message larger than the fetch limit (IMAP partial fetch, a cut Graph stream) read the same way', async () => {
    const hostile = byName.get('large-attachment')!;
    const prefix = hostile.raw.subarray(0, 64 * 1024);
    const { message } = await readInboundMessage(prefix, { ...meta, sizeBytes: hostile.raw.length });
    assert.ok(message);
    assert.equal(message.bodySkipped, 'too-large');
    assert.equal(message.sizeBytes, hostile.raw.length);
    assert.equal(message.messageId, hostile.messageId);
  });

  it('a 100 kB header line, invalid UTF-8 in Subject and From, an unclosed boundary: read, within the contract', async () => {
    await read('long-header-line');
    const bad = await read('invalid-utf8');
    assert.match(bad.subject ?? '', /^hostile: invalid-utf8 /);
    const unclosed = await read('unclosed-boundary');
    assert.match(unclosed.textBody ?? '', /never closes/);
  });

  it('3 000 recipients with long names: the event stays under the budget, the rep (first To) kept', async () => {
    const message = await read('many-recipients');
    assert.equal(message.to[0]?.address, REP);
    assert.ok(message.truncated?.includes('to'));
    assert.ok(message.truncated?.includes('cc'));
  });

  it('a Date in the year 275760 is no date', async () => {
    const message = await read('far-future-date');
    assert.equal(message.date, null);
  });

  it('bytes that are no message at all are unreadable, with a reason that quotes nothing', async () => {
    const result = await readInboundMessage(byName.get('not-a-message')!.raw, meta);
    assert.equal(result.message, undefined);
    assert.deepEqual(result.unreadable, { providerMessageId: 'm1', folder: 'INBOX', reason: 'input does not start with a header field' });
  });

  it('an over-long provider id becomes its digest (a key is never cut into another key); an instant past 9999 is dropped', () => {
    const message = { providerMessageId: `imap:1:2:${'F'.repeat(600)}` } as InboundMessage;
    const base = { ...message, providerThreadId: null, folder: 'INBOX', messageId: null, inReplyTo: [], references: [], threadIndex: null, threadTopic: null, from: null, sender: null, to: [], cc: [], replyTo: [], subject: null, date: null, receivedAt: '2026-12-01T10:00:00.000Z', autoReplyMarkers: { autoSubmitted: null, precedence: null, xAutoreply: null, xAutorespond: null, xAutoResponseSuppress: null, xFailedRecipients: null, returnPath: null }, listId: null, listUnsubscribe: null, contentType: 'text/plain', reportType: null, textBody: null, textBodyTruncated: false, deliveryStatus: [], enclosedOriginal: null, sizeBytes: 10 };
    const a = fitInboundMessage(base);
    const b = fitInboundMessage({ ...base, providerMessageId: `${base.providerMessageId}G` });
    assert.match(a.providerMessageId, /^sha256:[0-9a-f]{64}$/);
    assert.notEqual(a.providerMessageId, b.providerMessageId);
    assert.deepEqual(a.truncated, ['providerMessageId']);
    // Date#toISOString past the year 9999 is no ISO instant the contract accepts.
    const future = fitInboundMessage({ ...base, providerMessageId: 'm1', date: new Date(8.64e15).toISOString(), receivedAt: new Date(8.64e15).toISOString() }, () => new Date('2026-12-07T00:00:00Z'));
    assert.equal(future.date, null);
    assert.equal(future.receivedAt, '2026-12-07T00:00:00.000Z');
    assert.deepEqual(future.truncated, ['date', 'receivedAt']);
  });
});

describe('checkMimeStructure', () => {
  const mime = (lines: string[]): Buffer => Buffer.from(lines.join('\r\n'));

  it('counts depth through multiparts and enclosed messages, and an outer delimiter closes inner multiparts left open', () => {
    const enclosed = mime([
      'Content-Type: multipart/report; boundary="r"',
      '',
      '--r',
      'Content-Type: message/rfc822',
      '',
      'Subject: original',
      'Content-Type: multipart/alternative; boundary="a"',
      '',
      '--a',
      'Content-Type: text/plain',
      '',
      'hi',
      '--r',
      'Content-Type: text/plain',
      '',
      'after the unclosed inner multipart',
      '--r--',
    ]);
    assert.equal(checkMimeStructure(enclosed, { maxParts: 10, maxDepth: 3 }), null);
    assert.equal(checkMimeStructure(enclosed, { maxParts: 10, maxDepth: 2 }), 'too-deep');
    assert.equal(checkMimeStructure(enclosed, { maxParts: 2, maxDepth: 3 }), 'too-many-parts');
  });

  it('a delimiter with trailing text is not a delimiter (RFC 2046 §5.1.1), and a boundary is only read from multipart types', () => {
    const message = mime(['Content-Type: text/plain; boundary="x"', '', '--x', '--x', 'Content-Type: multipart/mixed; boundary="y"', '']);
    assert.equal(checkMimeStructure(message, { maxParts: 0, maxDepth: 0 }), null);
    const lookalike = mime(['Content-Type: multipart/mixed; boundary="x"', '', '--xtra', '--x not', '--x  ', '']);
    assert.equal(checkMimeStructure(lookalike, { maxParts: 0, maxDepth: 5 }), 'too-many-parts');
  });
});

describe('property: any message made of hostile pieces is read within the contract and in bounded time', () => {
  const headerName = fc.constantFrom('Subject', 'From', 'To', 'Cc', 'Reply-To', 'References', 'In-Reply-To', 'Message-ID', 'Date', 'Content-Type', 'Auto-Submitted', 'Thread-Topic', 'X-Custom');
  const nasty = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.constantFrom('<', '(', '=?', '"', '--', '\\', ',', '@', ' ', '\t').chain((c) => fc.integer({ min: 1, max: 20_000 }).map((n) => c.repeat(n))),
    fc.array(fc.constantFrom('<a@b>', '<', '>', '(c)', 'x@y', ','), { maxLength: 3000 }).map((parts) => parts.join(' ')),
  );
  const header = fc.tuple(headerName, nasty).map(([name, value]) => `${name}: ${value.replace(/\r?\n/g, ' ')}`);
  const part: fc.Arbitrary<string> = fc.letrec<{ part: string }>((tie) => ({
    part: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.tuple(nasty, fc.constantFrom('text/plain', 'text/html', 'message/rfc822', 'application/octet-stream')).map(([body, type]) => `Content-Type: ${type}\r\n\r\n${body}`),
      fc.tuple(fc.stringMatching(/^[A-Za-z0-9'()+_,./:=?-]{1,30}$/), fc.array(tie('part'), { maxLength: 4 }), fc.boolean()).map(
        ([boundary, children, closed]) => `Content-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n${children.map((c) => `--${boundary}\r\n${c}\r\n`).join('')}${closed ? `--${boundary}--` : ''}`,
      ),
    ),
  })).part;
  const message = fc.tuple(fc.array(header, { minLength: 1, maxLength: 12 }), part).map(([headers, body]) => Buffer.from(`${headers.join('\r\n')}\r\n${body}`, 'latin1'));

  it('never throws, never exceeds the contract, never takes a second', async () => {
    await fc.assert(
      fc.asyncProperty(message, async (raw) => {
        const { value, ms } = await timed(() => readInboundMessage(raw, meta));
        assert.ok(ms < 1_000, `${Math.round(ms)} ms for ${raw.length} bytes`);
        if (value.message) assertFitsContract(value.message);
        else assert.ok(value.unreadable.reason.length > 0);
      }),
      fuzzOptions(150),
    );
  });
});
