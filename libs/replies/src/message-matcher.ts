import type { DetectionContext } from './detection-context';
import type { InboundMessage, MatchRule, Relation, SentEmailRecord } from './reply-verdict';

export interface MessageMatch {
  sent: SentEmailRecord;
  rule: MatchRule;
  messageId: string;
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

const MACHINE_SENDER = /^(no-?reply|do-?not-?reply|notifications?|notify|mailer-daemon|postmaster|bounces?|alerts?|system)[^@]*@/i;

/**
 * A "Message-ID: <left@right>" line, indented or not. Written so that each line start and each id is
 * read once: `^\s*` ran over every following blank line from every line start, and `[^<>\s]+@[^<>\s]+`
 * tried every "@" of an id against the rest of it; both were quadratic on hostile text. Same matches:
 * only whitespace between the line start and "Message-ID:", an "@" with a character on either side.
 */
const MESSAGE_ID_LINE = /^[^\S\n\r\u2028\u2029]*Message-ID:\s*(<[^<>\s][^<>\s@]*@[^<>\s]*[^<>\s]>)/gim;

/**
 * Message-IDs of the email a bounce returns: the parsed message/rfc822 or text/rfc822-headers part,
 * else a "Message-ID:" line in the text body, where qmail, Exim and many others inline the original.
 */
export function enclosedMessageIds(message: InboundMessage): string[] {
  const ids = new Set<string>();
  if (message.enclosedOriginal?.messageId) ids.add(message.enclosedOriginal.messageId);
  for (const m of (message.textBody ?? '').matchAll(MESSAGE_ID_LINE)) {
    if (m[1] !== undefined && m[1] !== message.messageId) ids.add(m[1]);
  }
  return [...ids];
}

/** All msg-ids an inbound message refers to, strongest evidence first (RFC 5322 §3.6.4). */
export function referencedMessageIds(message: InboundMessage): { id: string; rule: MatchRule }[] {
  const seen = new Set<string>();
  const out: { id: string; rule: MatchRule }[] = [];
  const add = (id: string, rule: MatchRule): void => {
    if (seen.has(id)) return;
    seen.add(id);
    out.push({ id, rule });
  };
  for (const id of message.inReplyTo) add(id, 'in_reply_to');
  // References lists the thread oldest first; the most recent ancestors are the better evidence.
  for (const id of [...message.references].reverse()) add(id, 'references');
  for (const id of enclosedMessageIds(message)) add(id, 'enclosed_original');
  return out;
}

/**
 * Ties a message to an email we sent, strongest evidence first. The out-of-thread fallbacks (sender's
 * exact address, then a colleague at the same company) only apply when `allowOutOfThread`: a bounce
 * or a read receipt from the prospect's server says nothing about which campaign it belongs to.
 */
export function matchSentEmail(message: InboundMessage, ctx: DetectionContext, allowOutOfThread: boolean): MessageMatch | null {
  for (const { id, rule } of referencedMessageIds(message)) {
    const sent = ctx.sentByMessageIds.get(id);
    if (sent) return { sent, rule, messageId: sent.messageId };
  }
  const byThread = ctx.sentInProviderThread[0];
  if (byThread) return { sent: byThread, rule: 'provider_thread', messageId: byThread.messageId };
  const byIndex = ctx.sentInThreadIndexConversation[0];
  if (byIndex) return { sent: byIndex, rule: 'thread_index', messageId: byIndex.messageId };
  if (!allowOutOfThread || !message.from) return null;
  const from = message.from.address.toLowerCase();
  // Machines at the prospect's company (no-reply senders, notification systems) are nobody's answer.
  if (MACHINE_SENDER.test(from)) return null;
  const byAddress = ctx.recentSentToAddress.find((s) => [...s.to, ...s.cc].some((a) => a.toLowerCase() === from));
  if (byAddress) return { sent: byAddress, rule: 'prospect_address', messageId: byAddress.messageId };
  const domain = domainOf(from);
  // Free-mail domains never make two people colleagues.
  if (ctx.freeMailDomains.has(domain) || ctx.orgDomains.has(domain)) return null;
  const byDomain = ctx.recentSentToDomain.find((s) => s.to.some((a) => domainOf(a) === domain));
  if (byDomain) return { sent: byDomain, rule: 'company_domain', messageId: byDomain.messageId };
  return null;
}

/** Who replied, relative to the email we sent. Free-mail domains never make colleagues. */
export function relationOf(from: string, sent: SentEmailRecord, freeMail: ReadonlySet<string>): Relation {
  const address = from.toLowerCase();
  if (sent.to.some((a) => a.toLowerCase() === address)) return 'prospect';
  if (sent.cc.some((a) => a.toLowerCase() === address)) return 'cc';
  const domain = domainOf(address);
  if (!freeMail.has(domain) && sent.to.some((a) => domainOf(a) === domain)) return 'colleague';
  return 'other';
}

/** The rep, a teammate, or anyone at the org's own (non-free-mail) domains. */
export function isFromOwnOrg(from: string, ctx: DetectionContext): string | null {
  const address = from.toLowerCase();
  if (address === ctx.mailboxAddress.toLowerCase()) return 'sent by the mailbox owner';
  if (ctx.teammates.has(address)) return 'sent by a teammate';
  const domain = domainOf(address);
  if (!ctx.freeMailDomains.has(domain) && (ctx.orgDomains.has(domain) || domain === domainOf(ctx.mailboxAddress))) {
    return `sent from the org's own domain ${domain}`;
  }
  return null;
}
