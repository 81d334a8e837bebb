/**
 * Writes test/ooo-corpus/<label>/<provider>.eml and expected.json from messages.ts: each text in
 * its charset (ISO-2022-JP encoded here from EUC-JP, which iconv-lite cannot write directly), its
 * transfer encoding, an RFC 2047 encoded-word subject, and the header fields each system sends.
 * Run after changing messages.ts: `node services/reply-detector/dist/test/ooo-corpus/write-corpus.js`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import * as iconv from 'iconv-lite';
import { DATES, EXTRA_CASES, HOLDOUT2_CASES, HOLDOUT_CASES, LANGUAGE_SETS, ORIGINAL_SUBJECT, UNSUBSCRIBE_CASES, type HoldoutCase, type Provider, type Shape, type TransferEncoding } from './messages';

export const OOO_CORPUS_DIR = join(__dirname, '..', '..', '..', 'test', 'ooo-corpus');
const MAILBOX = 'Dana Whitfield <dana.whitfield@northwind-sales.com>';

/** ISO-2022-JP (RFC 1468) from EUC-JP: two-byte JIS X 0208 runs between ESC $ B and ESC ( B. */
function iso2022jp(text: string): Buffer {
  const euc = iconv.encode(text, 'euc-jp');
  const out: number[] = [];
  let kanji = false;
  for (let i = 0; i < euc.length; i += 1) {
    const byte = euc[i]!;
    if (byte < 0x80) {
      if (kanji) out.push(0x1b, 0x28, 0x42);
      kanji = false;
      out.push(byte);
    } else {
      if (byte === 0x8e || byte === 0x8f) throw new Error('half-width kana and JIS X 0212 are not written here');
      if (!kanji) out.push(0x1b, 0x24, 0x42);
      kanji = true;
      out.push(byte - 0x80, euc[i + 1]! - 0x80);
      i += 1;
    }
  }
  if (kanji) out.push(0x1b, 0x28, 0x42);
  return Buffer.from(out);
}

function encode(text: string, charset: string): Buffer {
  const bytes = charset === 'iso-2022-jp' ? iso2022jp(text) : iconv.encode(text, charset);
  if (charset !== 'iso-2022-jp' && iconv.decode(bytes, charset) !== text) throw new Error(`${charset} cannot write ${JSON.stringify(text.slice(0, 40))}`);
  return bytes;
}

/** RFC 2045 §6.7 quoted-printable, CRLF lines, soft breaks before 76 characters. */
function quotedPrintable(bytes: Buffer): string {
  const lines: string[] = [];
  for (const line of bytes.toString('latin1').split('\n')) {
    let out = '';
    let width = 0;
    const chars = [...line.replace(/\r$/, '')];
    chars.forEach((c, i) => {
      const code = c.charCodeAt(0);
      const last = i === chars.length - 1;
      const token = (code >= 33 && code <= 126 && c !== '=') || ((c === ' ' || c === '\t') && !last) ? c : `=${code.toString(16).toUpperCase().padStart(2, '0')}`;
      if (width + token.length > 75) {
        out += '=\r\n';
        width = 0;
      }
      out += token;
      width += token.length;
    });
    lines.push(out);
  }
  return lines.join('\r\n');
}

function bodyPart(text: string, charset: string, encoding: TransferEncoding): { headers: string[]; body: Buffer } {
  const bytes = encode(text.replace(/\n/g, '\r\n'), charset);
  const headers = [`Content-Type: text/plain; charset="${charset}"`, `Content-Transfer-Encoding: ${encoding === '8bit' && bytes.every((b) => b < 0x80) ? '7bit' : encoding}`];
  if (encoding === 'base64') return { headers, body: Buffer.from(bytes.toString('base64').replace(/.{76}/g, '$&\r\n')) };
  if (encoding === 'quoted-printable') return { headers, body: Buffer.from(quotedPrintable(bytes)) };
  return { headers, body: bytes };
}

/** RFC 2047 B encoded-words of at most 12 characters each, folded; plain ASCII stays as it is. */
function encodedWords(text: string, charset: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  const chars = [...text];
  const words: string[] = [];
  for (let i = 0; i < chars.length; i += 12) words.push(`=?${charset}?B?${encode(chars.slice(i, i + 12).join(''), charset).toString('base64')}?=`);
  return words.join('\r\n ');
}

function id(seed: string, length = 24): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

function message(headers: string[], part: { headers: string[]; body: Buffer }): Buffer {
  return Buffer.concat([Buffer.from([...headers, 'MIME-Version: 1.0', ...part.headers, '', ''].join('\r\n')), part.body, Buffer.from('\r\n')]);
}

/** Exchange and Gmail send multipart/alternative: the text part, then an HTML part of the same text. */
function alternative(headers: string[], shape: Shape, boundary: string): Buffer {
  const text = bodyPart(shape.body, shape.charset, shape.encoding);
  const html = bodyPart(`<html><body><div dir="auto">${shape.body.replace(/&/g, '&amp;').replace(/</g, '&lt;').split('\n').join('<br>')}</div></body></html>`, shape.charset, shape.encoding);
  const parts = [text, html].map((p, i) => Buffer.concat([Buffer.from(`--${boundary}\r\n${[...p.headers.map((h) => (i === 1 ? h.replace('text/plain', 'text/html') : h))].join('\r\n')}\r\n\r\n`), p.body, Buffer.from('\r\n')]));
  return Buffer.concat([Buffer.from([...headers, 'MIME-Version: 1.0', `Content-Type: multipart/alternative; boundary="${boundary}"`, '', ''].join('\r\n')), ...parts, Buffer.from(`--${boundary}--\r\n`)]);
}

function sentId(label: string, provider: string): string {
  return `<ooo.${label.toLowerCase()}.${provider}@mail.northwind-sales.com>`;
}

function providerMessage(label: string, locale: string, sender: { name: string; address: string }, provider: Provider, shape: Shape): Buffer {
  const seed = `${label}/${provider}`;
  const from = `${encodedWords(sender.name, 'utf-8')} <${sender.address}>`;
  const inReply = sentId(label, provider);
  const threading = [`In-Reply-To: ${inReply}`, `References: ${inReply}`];
  if (provider === 'exchange') {
    const host = `${id(seed, 6).toUpperCase()}.eurprd04.prod.outlook.com`;
    return alternative(
      [
        `Received: from AM0PR04MB${id(seed, 4).toUpperCase()}.eurprd04.prod.outlook.com by ${host} with HTTPS; ${DATES.exchange}`,
        `From: ${from}`,
        `To: ${MAILBOX}`,
        `Subject: ${encodedWords(shape.subject + ORIGINAL_SUBJECT, shape.charset === 'us-ascii' ? 'utf-8' : shape.charset)}`,
        `Thread-Topic: ${ORIGINAL_SUBJECT}`,
        `Thread-Index: AQHZ${Buffer.from(id(seed, 16)).toString('base64').slice(0, 20)}`,
        `Date: ${DATES.exchange}`,
        `Message-ID: <AM0PR04MB${id(seed, 12).toUpperCase()}@${host}>`,
        ...threading,
        `Content-Language: ${locale}`,
        'X-MS-Has-Attach:',
        'X-MS-TNEF-Correlator:',
        'X-MS-Exchange-Organization-SCL: -1',
        'Auto-Submitted: auto-generated',
        'X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent',
        'X-Auto-Response-Suppress: All',
        `X-MS-Exchange-Inbox-Rules-Loop: ${sender.address}`,
      ],
      shape,
      `_000_${id(seed, 30)}_`,
    );
  }
  if (provider === 'gmail') {
    return alternative(
      [
        `Received: by mail-sor-f41.google.com with SMTP id ${id(seed, 12)}; ${DATES.gmail}`,
        `From: ${from}`,
        `Date: ${DATES.gmail}`,
        ...threading,
        'Auto-Submitted: auto-replied',
        `Message-ID: <CA+${id(seed, 40)}@mail.gmail.com>`,
        `Subject: ${encodedWords(shape.subject, 'UTF-8')}`,
        `To: ${MAILBOX.replace(/.*</, '').replace('>', '')}`,
      ],
      shape,
      `000000000000${id(seed, 16)}`,
    );
  }
  return message(
    [
      `Received: from zimbra.${sender.address.split('@')[1]} (LHLO zimbra) by zimbra with LMTP; ${DATES.zimbra}`,
      `Date: ${DATES.zimbra}`,
      `From: ${from}`,
      `To: ${MAILBOX}`,
      `Message-ID: <${parseInt(id(seed, 8), 16)}.${parseInt(id(seed + 'x', 4), 16)}.1765372811000.JavaMail.zimbra@${sender.address.split('@')[1]}>`,
      ...threading,
      `Subject: ${encodedWords(shape.subject, shape.charset === 'us-ascii' ? 'utf-8' : shape.charset)}`,
      'Auto-Submitted: auto-replied (zimbra; vacation)',
      'X-Mailer: Zimbra 9.0.0_GA_4546 (zclient/9.0.0_GA_4546)',
    ],
    bodyPart(shape.body, shape.charset, shape.encoding),
  );
}

function asHtml(text: string): string {
  return `<html><head><meta http-equiv="Content-Type" content="text/html"></head><body><div style="font-family:Calibri,sans-serif">${text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .split('\n')
    .map((line) => `<p>${line}</p>`)
    .join('')}</div></body></html>`;
}

function plainMessage(label: string, sender: { name: string; address: string }, subject: string, extra: string[], shape: Pick<Shape, 'body' | 'charset' | 'encoding'> & { html?: boolean }, date: string): Buffer {
  const seed = `${label}/${subject}/${shape.body}`;
  const inReply = sentId(label, 'reply');
  const charset = shape.charset === 'us-ascii' ? 'utf-8' : shape.charset;
  return message(
    [
      `Received: from mx.${sender.address.split('@')[1]} by mx.northwind-sales.com; ${date}`,
      `From: ${encodedWords(sender.name, 'utf-8')} <${sender.address}>`,
      `To: ${MAILBOX}`,
      `Subject: ${encodedWords(subject, charset)}`,
      `Date: ${date}`,
      `Message-ID: <${id(seed, 32)}@${sender.address.split('@')[1]}>`,
      `In-Reply-To: ${inReply}`,
      `References: ${inReply}`,
      ...extra,
    ],
    htmlIf(shape.html === true, bodyPart(shape.body === '' ? '\n' : shape.body, shape.charset, shape.encoding)),
  );
}

function htmlIf(html: boolean, part: { headers: string[]; body: Buffer }): { headers: string[]; body: Buffer } {
  return html ? { ...part, headers: part.headers.map((h) => h.replace('text/plain', 'text/html')) } : part;
}

export interface OooExpected {
  label: string;
  provider: string;
  kind: 'auto_reply' | 'reply';
  returnDate: string | null;
  unsubscribe?: boolean;
}

function main(): void {
  const expected: Record<string, OooExpected> = {};
  const write = (file: string, bytes: Buffer, entry: OooExpected): void => {
    mkdirSync(dirname(join(OOO_CORPUS_DIR, file)), { recursive: true });
    writeFileSync(join(OOO_CORPUS_DIR, file), bytes);
    expected[file] = entry;
  };
  for (const set of LANGUAGE_SETS) {
    for (const provider of ['exchange', 'gmail', 'zimbra'] as const) {
      const shape = set[provider];
      write(`${set.label}/${provider}.eml`, providerMessage(set.label, set.locale, set.sender, provider, shape), { label: set.label, provider, kind: 'auto_reply', returnDate: shape.returnDate });
    }
  }
  const senderOf = (label: string): { name: string; address: string } => LANGUAGE_SETS.find((l) => l.label === label)!.sender;
  for (const extra of EXTRA_CASES) {
    const subject = extra.shape.subject + ORIGINAL_SUBJECT;
    // OWA and older Outlook send an out-of-office as HTML alone: the parser derives the text.
    const shape = extra.provider === 'exchange-html-only' ? { ...extra.shape, body: asHtml(extra.shape.body), html: true } : extra.shape;
    write(extra.file, plainMessage(extra.label, senderOf(extra.label), subject, extra.headers, shape, DATES.exchange), { label: extra.label, provider: extra.provider, kind: extra.kind, returnDate: extra.shape.returnDate });
  }
  for (const c of UNSUBSCRIBE_CASES) {
    write(c.file, plainMessage(c.label, senderOf(c.label), c.subject, [], c, DATES.gmail), { label: c.label, provider: 'human', kind: 'reply', returnDate: null, unsubscribe: c.request });
  }
  writeFileSync(join(OOO_CORPUS_DIR, 'expected.json'), `${JSON.stringify(expected, null, 1)}\n`);
  process.stdout.write(`wrote ${Object.keys(expected).length} messages to ${OOO_CORPUS_DIR}\n`);
  for (const [folder, set] of [['holdout', HOLDOUT_CASES], ['holdout2', HOLDOUT2_CASES]] as const) writeHoldout(folder, set, senderOf);
}

function writeHoldout(folder: string, cases: readonly HoldoutCase[], senderOf: (label: string) => { name: string; address: string }): void {
  const holdout: Record<string, OooExpected> = {};
  cases.forEach((c, i) => {
    const file = `${folder}/${String(i + 1).padStart(2, '0')}-${c.label}-${c.kind === 'reply' ? 'human' : c.provider}.eml`;
    const sender = senderOf(c.label === 'pt' ? 'pt' : c.label);
    const bytes =
      c.kind === 'reply'
        ? plainMessage(c.label, sender, c.shape.subject, [], c.shape, DATES.gmail)
        : providerMessage(`${c.label}-${folder}-${i}`, LANGUAGE_SETS.find((l) => l.label === c.label)!.locale, sender, c.provider, c.shape);
    mkdirSync(join(OOO_CORPUS_DIR, folder), { recursive: true });
    writeFileSync(join(OOO_CORPUS_DIR, file), bytes);
    holdout[file] = { label: c.label, provider: c.kind === 'reply' ? 'human' : c.provider, kind: c.kind, returnDate: c.shape.returnDate, ...(c.unsubscribe === undefined ? {} : { unsubscribe: c.unsubscribe }) };
  });
  writeFileSync(join(OOO_CORPUS_DIR, folder, 'expected.json'), `${JSON.stringify(holdout, null, 1)}\n`);
  process.stdout.write(`wrote ${cases.length} messages to ${join(OOO_CORPUS_DIR, folder)}\n`);
}

if (require.main === module) main();
