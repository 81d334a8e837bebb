import { randomUUID } from 'node:crypto';

import MailComposer from 'nodemailer/lib/mail-composer';

import type { Address } from './address';
import { parseMessageIdList } from './message-id-list';

export interface OutboundMessageInput {
  from: Address;
  to: Address[];
  cc: Address[];
  bcc?: Address[];
  subject: string;
  html: string | null;
  text: string;
  /** Right-hand side of the generated Message-ID, a domain the sender controls. */
  messageIdDomain: string;
  inReplyTo?: string;
  references?: string[];
  /** Extra headers (e.g. X-Telltale-*). Headers the composer owns cannot be set here. */
  headers?: Record<string, string>;
}

export interface ComposedMessage {
  /** The complete RFC 5322 message, CRLF line ends, ready for SMTP DATA or a provider's raw upload. */
  raw: Buffer;
  /** The Message-ID header we wrote, angle-bracketed. */
  messageId: string;
  /** SMTP envelope: Bcc recipients appear here and not in the headers. */
  envelope: { from: string; to: string[] };
}

export interface ComposeDependencies {
  now?: () => Date;
  newId?: () => string;
}

/** Headers the composer writes itself; letting callers set them would break threading or leak Bcc. */
const RESERVED_HEADERS = new Set([
  'message-id',
  'from',
  'sender',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'subject',
  'date',
  'in-reply-to',
  'references',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
]);

const FIELD_NAME = /^[!-9;-~]+$/;
/** RFC 5322 §3.4.1 dot-atom domain, restricted to what a DNS name can be. */
const DOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;
const MSG_ID_LEFT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/;

function mailbox(address: Address): { name: string; address: string } {
  return { name: address.name ?? '', address: address.address };
}

function singleMsgId(value: string, field: string): string {
  const ids = parseMessageIdList(value);
  const id = ids[0];
  if (ids.length !== 1 || id === undefined) throw new TypeError(`${field} must be exactly one message id, got ${JSON.stringify(value)}`);
  return id;
}

function checkHeaders(headers: Record<string, string>): Record<string, string> {
  const checked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!FIELD_NAME.test(name)) throw new TypeError(`invalid header name ${JSON.stringify(name)}`);
    if (RESERVED_HEADERS.has(name.toLowerCase())) throw new TypeError(`header ${name} is set by the composer`);
    // A line break in a value would start a new header (header injection).
    if (/[\r\n]/.test(value)) throw new TypeError(`header ${name} contains a line break`);
    checked[name] = value;
  }
  return checked;
}

/**
 * Builds an outbound message with a Message-ID of our own, `<uuid@messageIdDomain>` (RFC 5322
 * §3.6.4: unique, and the domain makes it globally so). Replies are recognised by that id coming
 * back in In-Reply-To/References, so the caller stores it before sending.
 */
export async function composeOutboundMessage(input: OutboundMessageInput, dependencies: ComposeDependencies = {}): Promise<ComposedMessage> {
  const domain = input.messageIdDomain.trim().toLowerCase();
  if (!DOMAIN.test(domain)) throw new TypeError(`messageIdDomain ${JSON.stringify(input.messageIdDomain)} is not a domain name`);
  const bcc = input.bcc ?? [];
  const recipients = [...input.to, ...input.cc, ...bcc];
  if (recipients.length === 0) throw new TypeError('a message needs at least one recipient');

  const left = (dependencies.newId ?? randomUUID)();
  if (!MSG_ID_LEFT.test(left)) throw new TypeError('generated message id is not a dot-atom');
  const messageId = `<${left}@${domain}>`;
  const references = (input.references ?? []).flatMap((value) => parseMessageIdList(value));
  const inReplyTo = input.inReplyTo === undefined ? undefined : singleMsgId(input.inReplyTo, 'inReplyTo');

  const composer = new MailComposer({
    from: mailbox(input.from),
    to: input.to.map(mailbox),
    cc: input.cc.map(mailbox),
    subject: input.subject,
    messageId,
    date: (dependencies.now ?? ((): Date => new Date()))(),
    text: input.text,
    ...(input.html === null ? {} : { html: input.html }),
    ...(inReplyTo === undefined ? {} : { inReplyTo }),
    ...(references.length === 0 ? {} : { references }),
    headers: checkHeaders(input.headers ?? {}),
    // SMTP DATA and provider raw uploads expect CRLF (RFC 5322 §2.1).
    newline: 'win',
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const raw = await composer.compile().build();
  return {
    raw,
    messageId,
    envelope: { from: input.from.address, to: recipients.map((recipient) => recipient.address) },
  };
}
