import { createHash } from 'node:crypto';
import { INBOUND_MESSAGE_LIMITS as L } from '@telltale/contracts';

import type { Address } from './address';
import type { DeliveryStatusRecipient } from './delivery-status-parser';
import type { EnclosedOriginal, InboundMessage } from './inbound-message';

/** Room left for the envelope (ids, mailbox address, Kafka headers) inside the event budget. */
const ENVELOPE_RESERVE_BYTES = 4 * 1024;
/** How many of the oldest References ids to keep when the list is cut (the thread root first). */
const REFERENCES_HEAD = 10;
/** Date#toISOString of a year 0–9999, the only form the contract's Instant accepts. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;

/** Cuts to at most maxChars UTF-16 units (what zod's max counts) without splitting a surrogate pair. */
export function truncateChars(value: string, maxChars: number): string {
  if (value.length <= maxChars) return value;
  let end = maxChars;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return value.slice(0, end);
}

/**
 * Cuts an inbound message down to the event contract (mailbox.message-received.v1), naming each
 * field it cut in `truncated`. Mail from anyone can exceed every limit; the message must still
 * become an event, or reply tracking for the whole mailbox stalls behind it. What matters for
 * matching a reply is kept first: valid msg-ids, the first and the latest References ids, the
 * first recipients.
 */
export function fitInboundMessage(message: InboundMessage, now: () => Date = () => new Date()): InboundMessage {
  const cut = new Set<string>(message.truncated ?? []);
  const text = (field: string, value: string, max: number): string => {
    const fitted = truncateChars(value, max);
    if (fitted !== value) cut.add(field);
    return fitted;
  };
  const header = (field: string, value: string | null): string | null => (value === null ? null : text(field, value, L.headerValueChars));
  const list = <T>(field: string, values: readonly T[], max: number): T[] => {
    if (values.length <= max) return [...values];
    cut.add(field);
    return values.slice(0, max);
  };
  const msgIds = (field: string, ids: readonly string[]): string[] => {
    const fitting = ids.filter((id) => Buffer.byteLength(id, 'utf8') <= L.messageIdBytes);
    if (fitting.length !== ids.length) cut.add(field);
    return fitting;
  };
  const address = (field: string, value: Address | null): Address | null => {
    if (value === null) return null;
    if (value.address.length > L.addressChars) {
      cut.add(field);
      return null;
    }
    return { address: value.address, name: value.name === null ? null : text(field, value.name, L.addressNameChars) };
  };
  const addresses = (field: string, values: readonly Address[], max: number): Address[] =>
    list(
      field,
      values.map((a) => address(field, a)).filter((a): a is Address => a !== null),
      max,
    );
  const instant = (field: string, value: string | null): string | null => {
    if (value === null || ISO_INSTANT.test(value)) return value;
    cut.add(field);
    return null;
  };

  const references = msgIds('references', message.references);
  const messageId = message.messageId === null ? null : (msgIds('messageId', [message.messageId])[0] ?? null);
  const textBody = message.textBody === null ? null : text('textBody', message.textBody, L.textBodyChars);

  const fitted: InboundMessage = {
    ...message,
    providerMessageId: fitProviderIdField('providerMessageId', message.providerMessageId, cut),
    providerThreadId: message.providerThreadId === null ? null : fitProviderIdField('providerThreadId', message.providerThreadId, cut),
    folder: text('folder', message.folder, L.folderChars),
    messageId,
    inReplyTo: list('inReplyTo', msgIds('inReplyTo', message.inReplyTo), L.inReplyToIds),
    references: keepEnds('references', references, L.referencesIds, cut),
    threadIndex: header('threadIndex', message.threadIndex),
    threadTopic: header('threadTopic', message.threadTopic),
    from: address('from', message.from),
    sender: address('sender', message.sender),
    to: addresses('to', message.to, L.toAddresses),
    cc: addresses('cc', message.cc, L.ccAddresses),
    replyTo: addresses('replyTo', message.replyTo, L.replyToAddresses),
    subject: message.subject === null ? null : text('subject', message.subject, L.subjectChars),
    date: instant('date', message.date),
    receivedAt: instant('receivedAt', message.receivedAt) ?? now().toISOString(),
    autoReplyMarkers: {
      autoSubmitted: header('autoReplyMarkers', message.autoReplyMarkers.autoSubmitted),
      precedence: header('autoReplyMarkers', message.autoReplyMarkers.precedence),
      xAutoreply: header('autoReplyMarkers', message.autoReplyMarkers.xAutoreply),
      xAutorespond: header('autoReplyMarkers', message.autoReplyMarkers.xAutorespond),
      xAutoResponseSuppress: header('autoReplyMarkers', message.autoReplyMarkers.xAutoResponseSuppress),
      ...(message.autoReplyMarkers.xMsExchangeAutoReply === undefined
        ? {}
        : { xMsExchangeAutoReply: header('autoReplyMarkers', message.autoReplyMarkers.xMsExchangeAutoReply) }),
      xFailedRecipients: header('autoReplyMarkers', message.autoReplyMarkers.xFailedRecipients),
      returnPath: header('autoReplyMarkers', message.autoReplyMarkers.returnPath),
    },
    listId: header('listId', message.listId),
    listUnsubscribe: header('listUnsubscribe', message.listUnsubscribe),
    contentType: text('contentType', message.contentType, L.contentTypeChars),
    reportType: header('reportType', message.reportType),
    textBody,
    deliveryStatus: list('deliveryStatus', message.deliveryStatus, L.deliveryStatusRecipients).map(
      (r): DeliveryStatusRecipient => ({
        action: header('deliveryStatus', r.action),
        status: header('deliveryStatus', r.status),
        finalRecipient: header('deliveryStatus', r.finalRecipient),
        diagnosticCode: header('deliveryStatus', r.diagnosticCode),
      }),
    ),
    enclosedOriginal: message.enclosedOriginal === null ? null : fitEnclosed(message.enclosedOriginal, header, cut),
  };
  if (cut.has('textBody')) fitted.textBodyTruncated = true;

  shrinkToBudget(fitted, cut);
  if (cut.size > 0) fitted.truncated = [...cut].slice(0, L.truncatedFields);
  return fitted;
}

/** A provider id is a key: cutting it could make two messages one, so an over-long id becomes its digest. */
export function fitProviderId(id: string): string {
  if (id.length <= L.providerIdChars) return id;
  return `sha256:${createHash('sha256').update(id).digest('hex')}`;
}

function fitProviderIdField(field: string, id: string, cut: Set<string>): string {
  const fitted = fitProviderId(id);
  if (fitted !== id) cut.add(field);
  return fitted;
}

/** RFC 5322 §3.6.4: References is the parent's References plus the parent's id; the root and the latest ids thread a reply. */
function keepEnds(field: string, ids: string[], max: number, cut: Set<string>): string[] {
  if (ids.length <= max) return ids;
  cut.add(field);
  return [...ids.slice(0, REFERENCES_HEAD), ...ids.slice(ids.length - (max - REFERENCES_HEAD))];
}

function fitEnclosed(original: EnclosedOriginal, header: (field: string, value: string | null) => string | null, cut: Set<string>): EnclosedOriginal {
  const headers: Record<string, string> = {};
  let kept = 0;
  for (const [name, value] of Object.entries(original.headers)) {
    if (kept >= L.enclosedHeaders || name.length > L.enclosedHeaderNameChars) {
      cut.add('enclosedOriginal.headers');
      continue;
    }
    headers[name] = header('enclosedOriginal.headers', value) ?? '';
    kept += 1;
  }
  return {
    messageId: header('enclosedOriginal', original.messageId),
    subject: header('enclosedOriginal', original.subject),
    from: header('enclosedOriginal', original.from),
    to: header('enclosedOriginal', original.to),
    headers,
  };
}

function eventBytes(message: InboundMessage): number {
  return Buffer.byteLength(JSON.stringify(message), 'utf8');
}

/**
 * Every field within its own limit can still add up to more than a Kafka message may hold (a
 * thousand recipients with long names). Give up, in this order, what reply detection needs least.
 */
function shrinkToBudget(message: InboundMessage, cut: Set<string>): void {
  const budget = L.eventBytes - ENVELOPE_RESERVE_BYTES;
  if (eventBytes(message) <= budget) return;
  const steps: (() => void)[] = [
    () => {
      if (message.enclosedOriginal !== null && Object.keys(message.enclosedOriginal.headers).length > 0) {
        message.enclosedOriginal = { ...message.enclosedOriginal, headers: {} };
        cut.add('enclosedOriginal.headers');
      }
    },
    () => shortenList(message, 'cc', 100, cut),
    () => shortenList(message, 'to', 100, cut),
    () => shortenList(message, 'deliveryStatus', 10, cut),
    () => {
      if (message.textBody !== null && message.textBody.length > 4096) {
        message.textBody = truncateChars(message.textBody, 4096);
        message.textBodyTruncated = true;
        cut.add('textBody');
      }
    },
    () => shortenList(message, 'cc', 10, cut),
    () => shortenList(message, 'to', 10, cut),
    () => {
      if (message.references.length > 100) {
        message.references = [...message.references.slice(0, REFERENCES_HEAD), ...message.references.slice(-(100 - REFERENCES_HEAD))];
        cut.add('references');
      }
    },
  ];
  for (const step of steps) {
    step();
    if (eventBytes(message) <= budget) return;
  }
}

function shortenList(message: InboundMessage, field: 'to' | 'cc' | 'deliveryStatus', max: number, cut: Set<string>): void {
  if (message[field].length <= max) return;
  if (field === 'deliveryStatus') message.deliveryStatus = message.deliveryStatus.slice(0, max);
  else message[field] = message[field].slice(0, max);
  cut.add(field);
}
