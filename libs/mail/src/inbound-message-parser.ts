import { simpleParser, type AddressObject, type Attachment, type HeaderValue, type ParsedMail } from 'mailparser';

import { normalizeAddress, type Address } from './address';
import { parseDeliveryStatus, type DeliveryStatusRecipient } from './delivery-status-parser';
import { decodeEncodedWords } from './encoded-words';
import { allHeaders, firstHeader, readHeaderSection, startsWithHeaderField, type HeaderField } from './header-section';
import { parseHeaderDate } from './header-date';
import type { AutoReplyMarkers, EnclosedOriginal, InboundMessage } from './inbound-message';
import { InboundParseError } from './inbound-parse-error';
import { parseMessageIdList } from './message-id-list';
import { truncateUtf8 } from './truncate-utf8';

export interface InboundMessageMeta {
  providerMessageId: string;
  providerThreadId: string | null;
  folder: string;
  receivedAt?: Date;
}

export interface ParseInboundOptions {
  /** Cap on textBody in UTF-8 bytes. Default 32 KiB: enough to classify a reply, small enough for a Kafka event. */
  maxTextBytes?: number;
  /** HTML longer than this (characters) is not converted to text. Bounds parse cost of hostile mail. */
  maxHtmlCharsToConvert?: number;
  /** Clock for receivedAt when neither the provider nor the message says when it arrived. */
  now?: () => Date;
}

export const DEFAULT_MAX_TEXT_BYTES = 32 * 1024;
const DEFAULT_MAX_HTML_CHARS = 2 * 1024 * 1024;

const DELIVERY_STATUS_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
/** RFC 3464 §2 / RFC 6522 §3: the returned message, whole or headers only; RFC 6533 adds the "global" forms. */
const ENCLOSED_MESSAGE_TYPES = new Set(['message/rfc822', 'message/global', 'text/rfc822-headers', 'message/global-headers']);

function isAddressObject(value: unknown): value is AddressObject {
  return typeof value === 'object' && value !== null && 'value' in value && Array.isArray((value as { value: unknown }).value);
}

/** Flattens mailparser's address header value (groups included, RFC 5322 §3.4) into our Address list. */
function addressesOf(value: HeaderValue | undefined): Address[] {
  if (value === undefined) return [];
  const objects = (Array.isArray(value) ? value : [value]).filter(isAddressObject);
  const addresses: Address[] = [];
  const visit = (entries: AddressObject['value']): void => {
    for (const entry of entries) {
      if (entry.group !== undefined) visit(entry.group);
      else if (entry.address !== undefined) {
        const address = normalizeAddress(entry.address, entry.name);
        if (address !== null) addresses.push(address);
      }
    }
  };
  for (const object of objects) visit(object.value);
  return addresses;
}

async function parseWithMailparser(input: Buffer, maxHtmlChars: number): Promise<ParsedMail | null> {
  try {
    return await simpleParser(input, {
      // Keep delivery-status parts and returned messages as attachments so we read them ourselves.
      keepDeliveryStatus: true,
      ignoreEmbedded: true,
      keepCidLinks: true,
      skipImageLinks: true,
      skipTextToHtml: true,
      skipTextLinks: true,
      checksumAlgo: false,
      maxHtmlLengthToParse: maxHtmlChars,
    });
  } catch {
    return null;
  }
}

/** When the body defeats mailparser, parse the header section alone so addresses and subject survive. */
async function parseHeadersOnly(raw: Buffer, bodyOffset: number): Promise<ParsedMail | null> {
  const head = raw.subarray(0, bodyOffset);
  return parseWithMailparser(Buffer.concat([head, Buffer.from('\r\n\r\n')]), 0);
}

function firstValue(fields: readonly HeaderField[], name: string): string | null {
  const value = firstHeader(fields, name);
  return value === null || value === '' ? null : value;
}

function mediaTypeOf(fields: readonly HeaderField[], parsed: ParsedMail | null): { contentType: string; reportType: string | null } {
  const structured = parsed?.headers.get('content-type');
  if (typeof structured === 'object' && structured !== null && 'value' in structured && 'params' in structured) {
    const value = String(structured.value).trim().toLowerCase();
    const params = structured.params as Record<string, string>;
    const reportType = params['report-type'];
    if (value.includes('/')) {
      return { contentType: value, reportType: reportType === undefined ? null : reportType.trim().toLowerCase() };
    }
  }
  const raw = firstHeader(fields, 'content-type');
  const value = raw?.split(';')[0]?.trim().toLowerCase() ?? '';
  const reportType = raw === null ? null : (/report-type\s*=\s*"?([^";\s]+)"?/i.exec(raw)?.[1]?.toLowerCase() ?? null);
  // RFC 2045 §5.2: no (or an unreadable) Content-Type means text/plain.
  return { contentType: value.includes('/') ? value : 'text/plain', reportType };
}

function readEnclosedOriginal(part: Attachment): EnclosedOriginal {
  const section = readHeaderSection(part.content);
  const headers: Record<string, string> = {};
  for (const field of section.fields) {
    if (!Object.hasOwn(headers, field.name)) headers[field.name] = field.value;
  }
  const decoded = (name: string): string | null => {
    const value = firstValue(section.fields, name);
    return value === null ? null : decodeEncodedWords(value);
  };
  return {
    messageId: parseMessageIdList(firstHeader(section.fields, 'message-id'))[0] ?? null,
    subject: decoded('subject'),
    from: decoded('from'),
    to: decoded('to'),
    headers,
  };
}

/**
 * mailparser decodes stray 8-bit header bytes as UTF-8 and writes U+FFFD where that fails; our own
 * reading falls back to Latin-1, which is what such old mailers meant. Prefer ours only then.
 */
function preferReadable(fromMailparser: string | undefined, own: string | null): string | null {
  if (fromMailparser === undefined) return own;
  if (own !== null && fromMailparser.includes('\uFFFD') && !own.includes('\uFFFD')) return own;
  return fromMailparser;
}

function receivedAtOf(meta: InboundMessageMeta, fields: readonly HeaderField[], now: () => Date): string {
  if (meta.receivedAt !== undefined && !Number.isNaN(meta.receivedAt.getTime())) return meta.receivedAt.toISOString();
  // RFC 5321 §4.4: the topmost Received field was added by the receiving server; its date follows the last ";".
  const received = firstHeader(fields, 'received');
  const stamp = received === null ? null : parseHeaderDate(received.slice(received.lastIndexOf(';') + 1));
  return stamp ?? now().toISOString();
}

/**
 * Turns the raw bytes of one received message into the InboundMessage shape. It degrades instead of
 * failing: missing or broken headers become nulls, broken MIME loses the body but keeps the headers.
 * It throws InboundParseError only when the bytes are not a message at all.
 */
export async function parseInboundMessage(raw: Buffer, meta: InboundMessageMeta, options: ParseInboundOptions = {}): Promise<InboundMessage> {
  if (raw.length === 0) throw new InboundParseError('empty input is not a message');
  if (!startsWithHeaderField(raw)) throw new InboundParseError('input does not start with a header field');
  const section = readHeaderSection(raw);
  if (section.fields.length === 0) throw new InboundParseError('input has no header fields');

  const maxTextBytes = options.maxTextBytes ?? DEFAULT_MAX_TEXT_BYTES;
  const maxHtmlChars = options.maxHtmlCharsToConvert ?? DEFAULT_MAX_HTML_CHARS;
  const now = options.now ?? ((): Date => new Date());
  const fields = section.fields;

  const full = await parseWithMailparser(raw, maxHtmlChars);
  const parsed = full ?? (await parseHeadersOnly(raw, section.bodyOffset));

  const deliveryStatus: DeliveryStatusRecipient[] = [];
  let enclosedOriginal: EnclosedOriginal | null = null;
  for (const part of full?.attachments ?? []) {
    // A part cut short before its Content-Type can come back without one, despite the declared type.
    const type = typeof part.contentType === 'string' ? part.contentType.toLowerCase() : '';
    if (DELIVERY_STATUS_TYPES.has(type)) {
      deliveryStatus.push(...parseDeliveryStatus(part.content.toString('utf8')));
    } else if (ENCLOSED_MESSAGE_TYPES.has(type) && enclosedOriginal === null && startsWithHeaderField(part.content)) {
      enclosedOriginal = readEnclosedOriginal(part);
    }
  }

  let textBody: string | null = null;
  let textBodyTruncated = false;
  const text = full?.text?.trim() === '' ? undefined : full?.text;
  if (text !== undefined) {
    const capped = truncateUtf8(text, maxTextBytes);
    textBody = capped.text;
    textBodyTruncated = capped.truncated;
  }

  const headerValue = (name: string): HeaderValue | undefined => parsed?.headers.get(name);
  const threadTopic = firstValue(fields, 'thread-topic');
  const rawSubject = firstValue(fields, 'subject');
  const autoReplyMarkers: AutoReplyMarkers = {
    autoSubmitted: firstValue(fields, 'auto-submitted'),
    precedence: firstValue(fields, 'precedence'),
    xAutoreply: firstValue(fields, 'x-autoreply'),
    xAutorespond: firstValue(fields, 'x-autorespond'),
    xAutoResponseSuppress: firstValue(fields, 'x-auto-response-suppress'),
    xFailedRecipients: firstValue(fields, 'x-failed-recipients'),
    returnPath: firstValue(fields, 'return-path'),
  };
  const { contentType, reportType } = mediaTypeOf(fields, parsed);

  return {
    providerMessageId: meta.providerMessageId,
    providerThreadId: meta.providerThreadId,
    folder: meta.folder,
    messageId: parseMessageIdList(firstHeader(fields, 'message-id'))[0] ?? null,
    inReplyTo: parseMessageIdList(allHeaders(fields, 'in-reply-to').join(' ')),
    references: parseMessageIdList(allHeaders(fields, 'references').join(' ')),
    threadIndex: firstValue(fields, 'thread-index'),
    threadTopic: threadTopic === null ? null : decodeEncodedWords(threadTopic),
    from: addressesOf(headerValue('from'))[0] ?? null,
    sender: addressesOf(headerValue('sender'))[0] ?? null,
    to: addressesOf(headerValue('to')),
    cc: addressesOf(headerValue('cc')),
    replyTo: addressesOf(headerValue('reply-to')),
    subject: preferReadable(parsed?.subject, rawSubject === null ? null : decodeEncodedWords(rawSubject)),
    date: parseHeaderDate(firstHeader(fields, 'date')),
    receivedAt: receivedAtOf(meta, fields, now),
    autoReplyMarkers,
    listId: firstValue(fields, 'list-id'),
    listUnsubscribe: firstValue(fields, 'list-unsubscribe'),
    contentType,
    reportType,
    textBody,
    textBodyTruncated,
    deliveryStatus,
    enclosedOriginal,
    sizeBytes: raw.length,
  };
}
