import type { InboundBodySkipReason } from '@telltale/contracts';
import { simpleParser, type AddressObject, type Attachment, type HeaderValue, type ParsedMail } from 'mailparser';

import { normalizeAddress, type Address } from './address';
import { parseDeliveryStatus, type DeliveryStatusRecipient } from './delivery-status-parser';
import { decodeEncodedWords } from './encoded-words';
import { allHeaders, firstHeader, readHeaderSection, startsWithHeaderField, type HeaderField, type HeaderSection } from './header-section';
import { fitInboundMessage } from './fit-inbound-message';
import { parseHeaderDate } from './header-date';
import type { AutoReplyMarkers, EnclosedOriginal, InboundMessage, UnreadableMessage } from './inbound-message';
import { InboundParseError } from './inbound-parse-error';
import { parseMessageIdList } from './message-id-list';
import { checkMimeStructure, DEFAULT_MIME_LIMITS } from './mime-structure';
import { truncateUtf8 } from './truncate-utf8';

export interface InboundMessageMeta {
  providerMessageId: string;
  providerThreadId: string | null;
  folder: string;
  receivedAt?: Date;
  /**
   * The message's full size when `raw` is only its first bytes (the fetch stopped at maxRawBytes).
   * The body of such a message is not read; its header fields are.
   */
  sizeBytes?: number;
}

export interface ParseInboundOptions {
  /** Cap on textBody in UTF-8 bytes. Default 32 KiB: enough to classify a reply, small enough for a Kafka event. */
  maxTextBytes?: number;
  /** HTML longer than this (characters) is not converted to text. Bounds parse cost of hostile mail. */
  maxHtmlCharsToConvert?: number;
  /** Messages larger than this (bytes) are read for their header fields only; fetches stop here. */
  maxRawBytes?: number;
  /** MIME body parts (all levels) beyond which the body is not read. */
  maxParts?: number;
  /** Nesting of multiparts and enclosed messages beyond which the body is not read. */
  maxDepth?: number;
  /** Clock for receivedAt when neither the provider nor the message says when it arrived. */
  now?: () => Date;
}

/** The limits an operator sets (mailbox-sync's MAILBOX_MAX_MESSAGE_BYTES, _MIME_PARTS, _MIME_DEPTH). */
export type InboundLimits = Pick<ParseInboundOptions, 'maxRawBytes' | 'maxParts' | 'maxDepth'>;

export const DEFAULT_MAX_TEXT_BYTES = 32 * 1024;
/** A reply with a large attachment is still a reply: past this size only its header fields are read. */
export const DEFAULT_MAX_RAW_BYTES = 8 * 1024 * 1024;
/** A header section larger than this is hostile; only its first fields are read. */
const MAX_HEADER_BYTES = 1024 * 1024;
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

/** The header section, read from at most MAX_HEADER_BYTES (cut at a line end) so one endless header cannot cost more. */
function boundedHeaderSection(raw: Buffer): { section: HeaderSection; complete: boolean } {
  const section = readHeaderSection(raw);
  if (section.bodyOffset <= MAX_HEADER_BYTES) return { section, complete: true };
  const lastLineEnd = raw.lastIndexOf(0x0a, MAX_HEADER_BYTES);
  const prefix = raw.subarray(0, lastLineEnd === -1 ? MAX_HEADER_BYTES : lastLineEnd + 1);
  return { section: { fields: readHeaderSection(prefix).fields, bodyOffset: prefix.length }, complete: false };
}

/**
 * Turns the raw bytes of one received message into the InboundMessage shape, cut to the event
 * contract. It degrades instead of failing: missing or broken headers become nulls, broken MIME
 * loses the body but keeps the headers, and a message over a limit (size, parts, nesting) is read
 * for its header fields only, with `bodySkipped` saying why. It throws InboundParseError only when
 * the bytes are not a message at all.
 */
export async function parseInboundMessage(raw: Buffer, meta: InboundMessageMeta, options: ParseInboundOptions = {}): Promise<InboundMessage> {
  if (raw.length === 0) throw new InboundParseError('empty input is not a message');
  if (!startsWithHeaderField(raw)) throw new InboundParseError('input does not start with a header field');
  const { section, complete } = boundedHeaderSection(raw);
  if (section.fields.length === 0) throw new InboundParseError('input has no header fields');

  const maxTextBytes = options.maxTextBytes ?? DEFAULT_MAX_TEXT_BYTES;
  const maxHtmlChars = options.maxHtmlCharsToConvert ?? DEFAULT_MAX_HTML_CHARS;
  const maxRawBytes = options.maxRawBytes ?? DEFAULT_MAX_RAW_BYTES;
  const now = options.now ?? ((): Date => new Date());
  const fields = section.fields;
  const sizeBytes = Math.max(meta.sizeBytes ?? raw.length, raw.length);

  let bodySkipped: InboundBodySkipReason | undefined;
  if (sizeBytes > raw.length || raw.length > maxRawBytes || !complete) bodySkipped = 'too-large';
  else {
    bodySkipped =
      checkMimeStructure(raw, { maxParts: options.maxParts ?? DEFAULT_MIME_LIMITS.maxParts, maxDepth: options.maxDepth ?? DEFAULT_MIME_LIMITS.maxDepth }) ?? undefined;
  }

  const full = bodySkipped === undefined ? await parseWithMailparser(raw, maxHtmlChars) : null;
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
  // Exchange stamps what a mailbox rule sent (its out-of-office reply included) with the loop guard
  // and "Mailbox Rules Agent"; copied only when present, as the contract's field is optional.
  const exchangeRule = firstValue(fields, 'x-ms-exchange-inbox-rules-loop') ?? firstValue(fields, 'x-ms-exchange-generated-message-source');
  if (exchangeRule !== null && (/@/.test(exchangeRule) || /mailbox rules agent/i.test(exchangeRule))) autoReplyMarkers.xMsExchangeAutoReply = exchangeRule;
  const { contentType, reportType } = mediaTypeOf(fields, parsed);

  const message: InboundMessage = {
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
    sizeBytes,
    ...(bodySkipped === undefined ? {} : { bodySkipped }),
  };
  return fitInboundMessage(message, now);
}

export type InboundReadResult = { message: InboundMessage; unreadable?: never } | { message?: never; unreadable: UnreadableMessage };

/**
 * parseInboundMessage for the followers: a message that cannot be read becomes an UnreadableMessage
 * (recorded, shown, and passed over) instead of an error that would stop the mailbox's sync on it
 * for ever. The reason never quotes the message.
 */
export async function readInboundMessage(raw: Buffer, meta: InboundMessageMeta, options: ParseInboundOptions = {}): Promise<InboundReadResult> {
  try {
    return { message: await parseInboundMessage(raw, meta, options) };
  } catch (error) {
    const reason = error instanceof InboundParseError ? error.message : `the message could not be parsed (${error instanceof Error ? error.name : typeof error})`;
    return { unreadable: { providerMessageId: meta.providerMessageId, folder: meta.folder, reason } };
  }
}
