import { randomBytes } from 'node:crypto';

/**
 * Messages anyone on the internet can send to a rep, each built to break a naive inbound pipeline:
 * over-long fields, deep or endless MIME, huge parts, bytes that are not UTF-8. Every one of them
 * must still become an event (cut down, flagged) or a recorded unreadable message, and must never
 * keep a later reply from being seen.
 */
export interface HostileMessage {
  /** What it tries, in a few words; also in its Subject where it has one. */
  name: string;
  /** Its Message-ID (angle brackets), or null for the one that is no message at all. */
  messageId: string | null;
  raw: Buffer;
  /** What a correct reader makes of it. */
  expect: 'event' | 'unreadable';
}

export interface HostileMessageOptions {
  from?: string;
  to: string;
  /** Leave out the 12 MB message (e.g. for a quick property run). */
  withoutLarge?: boolean;
}

const CRLF = '\r\n';

function headerBlock(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([name, value]) => `${name}: ${value}${CRLF}`)
    .join('');
}

/** Folds a long header value at spaces, as RFC 5322 §2.2.3 allows, so no line exceeds 998 characters. */
function folded(values: string[]): string {
  const lines: string[] = [];
  let line = '';
  for (const value of values) {
    if (line.length + value.length + 1 > 900) {
      lines.push(line);
      line = '';
    }
    line += (line === '' ? '' : ' ') + value;
  }
  lines.push(line);
  return lines.join(`${CRLF} `);
}

export function hostileMessages(options: HostileMessageOptions): HostileMessage[] {
  const tag = randomBytes(4).toString('hex');
  const from = options.from ?? 'mallory@hostile.test';
  const id = (name: string): string => `<${name}-${tag}@hostile.test>`;
  const base = (name: string, extra: Record<string, string> = {}): Record<string, string> => ({
    From: from,
    To: options.to,
    Date: new Date().toUTCString(),
    'Message-ID': id(name),
    Subject: `hostile: ${name}`,
    'MIME-Version': '1.0',
    ...extra,
  });
  const text = (name: string, fields: Record<string, string>, body = 'Hello.'): HostileMessage => ({
    name,
    messageId: fields['Message-ID'] ?? null,
    raw: Buffer.from(`${headerBlock({ 'Content-Type': 'text/plain; charset=utf-8', ...fields })}${CRLF}${body}${CRLF}`, 'utf8'),
    expect: 'event',
  });

  const messages: HostileMessage[] = [];

  messages.push(text('long-subject', base('long-subject', { Subject: `hostile: long-subject ${'S'.repeat(5000)}` })));

  const references = Array.from({ length: 600 }, (_, i) => `<ref-${i}-${tag}@thread.test>`);
  messages.push(text('many-references', base('many-references', { References: folded(references), 'In-Reply-To': references[599]! })));

  messages.push(text('long-header-line', base('long-header-line', { 'X-Padding': 'x'.repeat(100 * 1024) })));

  // Bytes that are not UTF-8 (a lone 0xFF, a cut multibyte sequence) in Subject and From.
  const badUtf8Head = Buffer.concat([
    Buffer.from(headerBlock(base('invalid-utf8', { Subject: 'hostile: invalid-utf8 ' })).replace(`hostile: invalid-utf8 ${CRLF}`, 'hostile: invalid-utf8 '), 'utf8'),
    Buffer.from([0xff, 0xfe, 0xe2, 0x82, 0x20, 0xc3]),
    Buffer.from(`${CRLF}Content-Type: text/plain${CRLF}${CRLF}Body.${CRLF}`),
  ]);
  messages.push({ name: 'invalid-utf8', messageId: id('invalid-utf8'), raw: badUtf8Head, expect: 'event' });

  const unclosed = [
    headerBlock(base('unclosed-boundary', { 'Content-Type': 'multipart/mixed; boundary="b1"' })),
    '',
    '--b1',
    'Content-Type: text/plain',
    '',
    'The boundary below never closes.',
    '--b1',
    'Content-Type: application/octet-stream',
    'Content-Transfer-Encoding: base64',
    '',
    'AAAA',
  ].join(CRLF);
  messages.push({ name: 'unclosed-boundary', messageId: id('unclosed-boundary'), raw: Buffer.from(unclosed), expect: 'event' });

  const depth = 200;
  const nested: string[] = [headerBlock(base('deep-nesting', { 'Content-Type': 'multipart/mixed; boundary="n0"' })), ''];
  for (let level = 1; level < depth; level += 1) nested.push(`--n${level - 1}`, `Content-Type: multipart/mixed; boundary="n${level}"`, '');
  nested.push(`--n${depth - 1}`, 'Content-Type: text/plain', '', 'At the bottom.');
  for (let level = depth - 1; level >= 0; level -= 1) nested.push(`--n${level}--`);
  messages.push({ name: 'deep-nesting', messageId: id('deep-nesting'), raw: Buffer.from(nested.join(CRLF)), expect: 'event' });

  const manyParts: string[] = [headerBlock(base('many-parts', { 'Content-Type': 'multipart/mixed; boundary="p"' })), ''];
  for (let part = 0; part < 5000; part += 1) manyParts.push('--p', 'Content-Type: text/plain', '', `part ${part}`);
  manyParts.push('--p--');
  messages.push({ name: 'many-parts', messageId: id('many-parts'), raw: Buffer.from(manyParts.join(CRLF)), expect: 'event' });

  const recipients = Array.from({ length: 3000 }, (_, i) => `"Recipient Number ${i} ${'N'.repeat(60)}" <r${i}@crowd.test>`);
  messages.push(text('many-recipients', base('many-recipients', { To: folded([options.to, ...recipients].map((r, i, all) => (i < all.length - 1 ? `${r},` : r))), Cc: folded(recipients.map((r) => `${r},`)).replace(/,$/, '') })));

  messages.push(text('far-future-date', base('far-future-date', { Date: 'Sat, 1 Jan 275760 00:00:00 +0000' })));

  messages.push({ name: 'not-a-message', messageId: null, raw: Buffer.concat([Buffer.from([0x00, 0x01, 0x02]), randomBytes(512)]), expect: 'unreadable' });

  if (!options.withoutLarge) {
    const attachment = randomBytes(9 * 1024 * 1024).toString('base64').replace(/.{76}/g, `$&${CRLF}`);
    const large = [
      headerBlock(base('large-attachment', { 'Content-Type': 'multipart/mixed; boundary="big"' })),
      '',
      '--big',
      'Content-Type: text/plain',
      '',
      'A 12 MB attachment follows.',
      '--big',
      'Content-Type: application/pdf; name="deck.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      attachment,
      '--big--',
      '',
    ].join(CRLF);
    messages.push({ name: 'large-attachment', messageId: id('large-attachment'), raw: Buffer.from(large), expect: 'event' });
  }
  return messages;
}
